// The services and Kafka topics of the bank, as an inline SVG (scales with its container; scrolls on a phone).

type Kind = 'command' | 'answer' | 'event' | 'load';

const TOPICS: readonly { readonly name: string; readonly kind: Kind }[] = [
  { name: 'heartbeat', kind: 'load' },
  { name: 'confirm_account_creation', kind: 'command' },
  { name: 'confirm_money_transfer', kind: 'command' },
  { name: 'account_creation_confirmed', kind: 'answer' },
  { name: 'account_creation_failed', kind: 'answer' },
  { name: 'money_transfer_confirmed', kind: 'answer' },
  { name: 'money_transfer_failed', kind: 'answer' },
  { name: 'balance_changed', kind: 'event' },
];

const KIND_LABEL: Record<Kind, string> = {
  command: 'commands',
  answer: 'answers',
  event: 'events',
  load: 'background load',
};

function Service({
  x,
  y,
  w = 190,
  h,
  title,
  lines,
}: {
  x: number;
  y: number;
  w?: number;
  h: number;
  title: string;
  lines: readonly string[];
}) {
  return (
    <g className="svc">
      <rect x={x} y={y} width={w} height={h} rx="10" />
      <text x={x + w / 2} y={y + 26} className="svc-title" textAnchor="middle">
        {title}
      </text>
      {lines.map((line, i) => (
        <text key={line} x={x + w / 2} y={y + 46 + i * 17} className="svc-sub" textAnchor="middle">
          {line}
        </text>
      ))}
    </g>
  );
}

function Database({ x, y, name }: { x: number; y: number; name: string }) {
  const w = 150;
  const h = 58;
  return (
    <g className="db">
      <path
        d={`M${x} ${y + 9} v${h - 18} a${w / 2} 9 0 0 0 ${w} 0 v${-(h - 18)} a${w / 2} 9 0 0 0 ${-w} 0 z`}
      />
      <ellipse cx={x + w / 2} cy={y + 9} rx={w / 2} ry="9" />
      <text x={x + w / 2} y={y + 36} textAnchor="middle" className="db-name">
        {name}
      </text>
      <text x={x + w / 2} y={y + 52} textAnchor="middle" className="svc-sub">
        PostgreSQL
      </text>
    </g>
  );
}

function Arrow({
  d,
  label,
  lx,
  ly,
  both = false,
  anchor = 'middle',
}: {
  d: string;
  label?: string;
  lx?: number;
  ly?: number;
  both?: boolean;
  anchor?: 'start' | 'middle' | 'end';
}) {
  return (
    <g className="arrow">
      <path d={d} markerEnd="url(#arrow-head)" markerStart={both ? 'url(#arrow-tail)' : undefined} />
      {label && (
        <text x={lx} y={ly} textAnchor={anchor} className="arrow-label">
          {label}
        </text>
      )}
    </g>
  );
}

export function ArchitectureDiagram() {
  const kafkaX = 345;
  const pillX = kafkaX + 20;
  const pillY = (i: number) => 98 + i * 48;
  return (
    <div className="diagram-scroll">
      <svg
        className="architecture"
        viewBox="0 0 1000 600"
        role="img"
        aria-labelledby="architecture-title architecture-desc"
      >
        <title id="architecture-title">Architecture of Open Bank</title>
        <desc id="architecture-desc">
          The browser talks GraphQL to the GraphQL endpoint, which sends commands to Kafka topics. The command
          handler consumes the commands, keeps balances in balancedb and answers on Kafka; the endpoint stores
          balance changes in transactiondb and pushes them to the browser. A heartbeat and a command generator
          add background load.
        </desc>
        <defs>
          <marker
            id="arrow-head"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0 0 L10 5 L0 10 z" className="arrow-tip" />
          </marker>
          <marker
            id="arrow-tail"
            viewBox="0 0 10 10"
            refX="1"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M10 0 L0 5 L10 10 z" className="arrow-tip" />
          </marker>
        </defs>

        {/* Kafka with its topics */}
        <g className="kafka">
          <rect x={kafkaX} y="20" width="310" height="560" rx="14" />
          <text x={kafkaX + 155} y="50" textAnchor="middle" className="kafka-title">
            Apache Kafka
          </text>
          <text x={kafkaX + 155} y="70" textAnchor="middle" className="svc-sub">
            topics, Avro values (Confluent wire format)
          </text>
          {TOPICS.map((t, i) => (
            <g key={t.name} className={`topic is-${t.kind}`}>
              <rect x={pillX} y={pillY(i)} width="270" height="36" rx="18" />
              <text x={pillX + 135} y={pillY(i) + 23} textAnchor="middle">
                {t.name}
              </text>
            </g>
          ))}
          {(['command', 'answer', 'event', 'load'] as const).map((k, i) => (
            <g key={k} className={`topic is-${k} legend`}>
              <rect
                x={pillX + (i % 2) * 140}
                y={500 + Math.floor(i / 2) * 28}
                width="18"
                height="14"
                rx="7"
              />
              <text x={pillX + 24 + (i % 2) * 140} y={512 + Math.floor(i / 2) * 28} className="svc-sub">
                {KIND_LABEL[k]}
              </text>
            </g>
          ))}
        </g>

        {/* left: the user's path */}
        <Service x={40} y={20} h={66} title="Browser" lines={['this app: React + Bulma']} />
        <Arrow d="M135 90 V172" both label="GraphQL: HTTP + WebSocket" lx={145} ly={135} anchor="start" />
        <Service
          x={40}
          y={176}
          h={84}
          title="GraphQL endpoint"
          lines={['queries, subscriptions', 'answers requests']}
        />
        <Arrow d="M232 200 H342" label="commands" lx={287} ly={192} />
        <Arrow d="M342 240 H232" label="answers, balances" lx={287} ly={258} />
        <Arrow d="M135 264 V312" both />
        <Database x={60} y={316} name="transactiondb" />

        {/* right: the bank's core */}
        <Service
          x={770}
          y={176}
          h={84}
          title="Command handler"
          lines={['checks and books', 'every command once']}
        />
        <Arrow d="M658 200 H766" label="commands" lx={712} ly={192} />
        <Arrow d="M766 240 H658" label="answers, balances" lx={712} ly={258} />
        <Arrow d="M865 264 V312" both />
        <Database x={790} y={316} name="balancedb" />

        {/* background load */}
        <Service x={40} y={420} h={56} title="Heartbeat" lines={['beats at a chosen rate']} />
        <Arrow d="M232 440 H342" label="beats" lx={287} ly={432} />
        <Service
          x={40}
          y={504}
          h={70}
          title="Command generator"
          lines={['accounts, salaries,', 'payments from beats']}
        />
        <Arrow d="M342 525 H232" label="beats, accounts" lx={287} ly={518} />
        <Arrow d="M232 556 H342" label="commands" lx={287} ly={572} />

        {/* schemas */}
        <Service x={770} y={420} h={56} title="Schema registry" lines={['Avro schemas, in Kafka']} />
        <Arrow d="M766 448 H658" both label="_schemas" lx={712} ly={440} />
        <Service
          x={770}
          y={504}
          h={70}
          title="Synchronizer"
          lines={['creates topics,', 'registers schemas']}
        />
        <Arrow d="M766 540 H658" label="topics" lx={712} ly={532} />
        <Arrow d="M865 504 V480" />
      </svg>
    </div>
  );
}
