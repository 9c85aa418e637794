import { LinesPanel } from "./LinesPanel";
import { QueuesPanel } from "../queues/QueuesPanel";
import { RingCentralPanel } from "../ringcentral/RingCentralPanel";

export function LinesScreen() {
  return (
    <div className="lines-screen">
      <section className="panel grow" aria-labelledby="lines-heading">
        <LinesPanel />
      </section>
      <div className="side">
        <section className="panel" aria-labelledby="queues-heading">
          <QueuesPanel />
        </section>
        <section className="panel" aria-labelledby="rc-heading">
          <RingCentralPanel />
        </section>
      </div>
    </div>
  );
}
