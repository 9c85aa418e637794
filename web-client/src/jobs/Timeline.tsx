import { JobEventKind } from "../gen/holdhunter/v1/job_pb";
import { formatClock, timestampToMs } from "../display/format";
import type { TimelineEntry } from "./jobView";

/** Timeline rows shown; older ones stay in memory but are not rendered. */
const SHOWN = 200;

function kindLabel(kind: TimelineEntry["kind"]): string {
  if (kind === "SNAPSHOT") return "snapshot";
  return (JobEventKind[kind] ?? String(kind)).toLowerCase().replaceAll("_", " ");
}

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const newestFirst = entries.slice(-SHOWN).reverse();
  return (
    <section aria-labelledby="timeline-heading" className="timeline panel">
      <h2 id="timeline-heading">Timeline</h2>
      <ol role="log" aria-label="Job events, newest first" data-testid="timeline">
        {newestFirst.map((e) => (
          <li key={e.key} data-time-ms={timestampToMs(e.time)} className={`ev ev-${typeof e.kind === "string" ? "snapshot" : (JobEventKind[e.kind] ?? "x").toLowerCase()}`}>
            <time className="mono">{formatClock(e.time)}</time>
            <span className="kind">{kindLabel(e.kind)}</span>
            <span className="leg-ref">{e.legId}</span>
            <span className="msg">{e.message}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
