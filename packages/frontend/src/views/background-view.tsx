import { ArchitectureDiagram } from '../components/architecture-diagram.tsx';
import { BenchCharts } from '../components/bench-charts.tsx';

export function BackgroundView() {
  return (
    <>
      <section className="box content">
        <h1 className="title is-4">How Open Bank works</h1>
        <p>
          Open Bank is an <strong>event-sourced</strong> bank: nothing is changed in place. Every request
          becomes a command on an Apache Kafka topic, every decision an answer or an event on another one, and
          the balances you see are built from those events. It is a TypeScript port of <em>open-bank-mark</em>
          , a demo and benchmark of Kafka from 2019.
        </p>
        <ol>
          <li>
            This app sends your request to the <strong>GraphQL endpoint</strong>: opening an account or a
            transfer, each with an id of its own so that sending it twice changes nothing.
          </li>
          <li>
            The endpoint puts a command on <code>confirm_account_creation</code> or{' '}
            <code>confirm_money_transfer</code>.
          </li>
          <li>
            The <strong>command handler</strong> checks it (the token, the funds, the accounts), books it in
            its own database exactly once, and answers on <code>*_confirmed</code> or <code>*_failed</code>.
            For every balance that moved it emits a <code>balance_changed</code> event.
          </li>
          <li>
            The endpoint answers your request, stores each balance change as a transaction and pushes it to
            every browser watching that account over a GraphQL subscription: the list updates without a
            reload.
          </li>
        </ol>
        <p>
          A <strong>heartbeat</strong> and a <strong>command generator</strong> create background traffic: new
          accounts, salaries, cash withdrawals and payments. The benchmark raises that load step by step while
          a real browser keeps depositing and transferring, and records how long each interaction takes.
        </p>
      </section>
      <section className="box">
        <h2 className="title is-5">Services and topics</h2>
        <ArchitectureDiagram />
        <p className="is-size-7 has-text-grey mt-3">
          Every topic value is an Avro record whose schema the synchronizer registers in the schema registry;
          producers never register schemas themselves.
        </p>
      </section>
      <section className="box">
        <h2 className="title is-5">Benchmark</h2>
        <BenchCharts />
      </section>
    </>
  );
}
