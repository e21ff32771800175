import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COMPANY_IBAN } from '@open-bank/contract';
import { importModule } from '@open-bank/runtime';
import type { GraphiQLOptions } from 'graphql-yoga';

/** Query parameter naming a GraphiQL asset: everything is served at /graphql, the one path proxies pass on. */
export const ASSET_PARAM = 'graphiql';

const FIELDS = 'id iban new_balance changed_by from_to descr direction';

/**
 * The bank's example operations, one tab each, for someone trying the API from the browser. Arguments are
 * written inline: GraphiQL does not fill a default tab's variables editor.
 */
export const EXAMPLE_TABS: NonNullable<GraphiQLOptions['defaultTabs']> = [
  {
    query: `# The newest transactions of the company account. Run it with the ▶ button.
query TransactionsByIban {
  transactions_by_iban(iban: "${COMPANY_IBAN}", max_items: 10) { ${FIELDS} }
}`,
  },
  {
    query: `# The latest transaction of every account.
query AllLastTransactions {
  all_last_transactions { iban new_balance changed_by descr }
}`,
  },
  {
    query: `# Transactions as they are stored (a subscription over WebSocket): start some load to see them.
subscription StreamTransactions {
  stream_transactions(iban: "${COMPANY_IBAN}", min_amount: 0) { ${FIELDS} }
}`,
  },
  {
    query: `# Opens an account on first use of a username; the same password gets the same account later.
subscription GetAccount {
  get_account(username: "graphiql-visitor", password: "choose-a-password") { iban token reason }
}`,
  },
  {
    query: `# The bank's core figures every couple of seconds.
subscription LiveMetrics {
  live_metrics {
    at commands_per_second heartbeats_per_second latency_p50_ms latency_p99_ms latency_source
    hops { hop p50_ms p99_ms }
    lag { service topic lag }
  }
}`,
  },
];

interface Asset {
  readonly type: string;
  readonly body: string | Buffer;
}

export interface Graphiql {
  /** The page: no inline script, everything else from same-origin assets. */
  readonly page: string;
  /** An asset by the name in `?graphiql=`, or undefined. */
  asset(name: string): Promise<Asset | undefined>;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * GraphiQL from the assets bundled in @graphql-yoga/render-graphiql. Yoga's own page loads its scripts from
 * a CDN and its bundled variant inlines them; this page takes them from the endpoint itself, so it works
 * offline and under a script-src 'self' policy. The assets are a 9 MB module: it is imported at the first
 * asset request, not at start (that took 0.3 s and 40 MiB of every endpoint's memory).
 */
export async function loadGraphiql(path: string): Promise<Graphiql> {
  // The package exports only renderGraphiQL, which inlines everything; the assets are its sibling module.
  // Resolved now, so a missing package fails the start rather than the first visit.
  const main = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql');
  const module = join(dirname(main), '..', 'esm', 'graphiql.js');
  const url = (name: string) => `${path}?${ASSET_PARAM}=${name}`;
  const options: GraphiQLOptions = {
    title: 'Open Bank GraphiQL',
    endpoint: path,
    subscriptionsProtocol: 'WS',
    defaultTabs: EXAMPLE_TABS,
  };
  let assets: Promise<Map<string, Asset>> | undefined;
  const loadAssets = async (): Promise<Map<string, Asset>> => {
    const bundle = (await importModule(pathToFileURL(module).href)) as Record<string, unknown>;
    const part = (name: string): string => {
      const value = bundle[name];
      if (typeof value !== 'string') throw new Error(`@graphql-yoga/render-graphiql has no ${name}`);
      return value;
    };
    const workers = {
      editorWorkerService: url('worker-editor.js'),
      json: url('worker-json.js'),
      graphql: url('worker-graphql.js'),
    };
    const favicon = /^data:[^;]+;base64,(.*)$/.exec(part('favicon'))?.[1];
    const map = new Map<string, Asset>([
      ['graphiql.css', { type: 'text/css; charset=utf-8', body: part('css') }],
      ['graphiql.js', { type: JS, body: part('js') }],
      ['worker-editor.js', { type: JS, body: part('editorWorkerService') }],
      ['worker-json.js', { type: JS, body: part('jsonWorker') }],
      ['worker-graphql.js', { type: JS, body: part('graphqlWorker') }],
      [
        'setup.js',
        {
          type: JS,
          body: `self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_id, label) { return ${JSON.stringify(workers)}[label]; } };\n`,
        },
      ],
      [
        'start.js',
        {
          type: JS,
          body: `YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${JSON.stringify(options)});\n`,
        },
      ],
    ]);
    if (favicon !== undefined)
      map.set('favicon.ico', { type: 'image/x-icon', body: Buffer.from(favicon, 'base64') });
    return map;
  };
  const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${options.title}</title>
    <link rel="icon" href="${url('favicon.ico')}" />
    <link rel="stylesheet" href="${url('graphiql.css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script src="${url('setup.js')}"></script>
    <script src="${url('graphiql.js')}"></script>
    <script src="${url('start.js')}"></script>
  </body>
</html>
`;
  return {
    page,
    asset: async (name) => {
      if (assets === undefined) {
        const loading = loadAssets();
        assets = loading;
        // A failed import is not kept: the next request tries again.
        loading.catch(() => {
          assets = undefined;
        });
      }
      return (await assets).get(name);
    },
  };
}
