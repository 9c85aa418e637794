import { useState, type FormEvent } from "react";
import { useSession } from "../app/session";
import { useRpcAction, useRpcLoad } from "../app/useRpc";
import { jobHref } from "../app/route";
import { errorSummary } from "../errors/rpcError";

/** StartJobRequest fields the form edits (snake_case, as BadRequest names them). */
const FIELDS = ["destination_id", "line_count", "queue_id", "pool", "max_transfers"] as const;
type Field = (typeof FIELDS)[number];

/** Destination preselected in the form when the server lists it. */
const DEFAULT_DESTINATION = "irs-pps";

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

/** Parses a whole number from an input; NaN for anything else (the server validates ranges). */
function wholeNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

export function StartJobForm() {
  const { clients } = useSession();
  const run = useRpcAction();
  const destinations = useRpcLoad((signal) => clients.destinations.listDestinations({}, { signal }));
  const queues = useRpcLoad((signal) => clients.queues.listQueues({}, { signal }));
  const [destinationId, setDestinationId] = useState("");
  const [lineCount, setLineCount] = useState("6");
  const [queueId, setQueueId] = useState("");
  const [pool, setPool] = useState("");
  const [maxTransfers, setMaxTransfers] = useState("1");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);

  const destinationList = destinations.data?.destinations ?? [];
  const queueList = queues.data?.queues ?? [];
  // Default: the IRS Practitioner Priority Service preset when the server has it, else the first.
  const chosenDestination =
    destinationId ||
    destinationList.find((d) => d.destinationId === DEFAULT_DESTINATION)?.destinationId ||
    destinationList[0]?.destinationId ||
    "";
  const defaultQueue = queueList.find((q) => q.isDefault);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const local: Partial<Record<Field, string>> = {};
    const lines = wholeNumber(lineCount);
    const transfers = wholeNumber(maxTransfers);
    if (Number.isNaN(lines)) local.line_count = "Enter a whole number of lines (1–100).";
    if (Number.isNaN(transfers)) local.max_transfers = "Enter a whole number of transfers.";
    if (Object.keys(local).length > 0) {
      setFieldErrors(local);
      setFormError("");
      return;
    }
    setBusy(true);
    const res = await run(
      () =>
        clients.jobs.startJob({
          destinationId: chosenDestination,
          lineCount: lines,
          queueId,
          pool: pool.trim(),
          maxTransfers: transfers,
          requestId: crypto.randomUUID(),
        }),
      FIELDS,
    );
    setBusy(false);
    if (res.ok) {
      setFieldErrors({});
      setFormError("");
      const jobId = res.value.job?.jobId;
      if (jobId) window.location.hash = jobHref(jobId);
      return;
    }
    setFieldErrors(res.error.fieldErrors as Partial<Record<Field, string>>);
    const onFields = Object.keys(res.error.fieldErrors).some((f) => (FIELDS as readonly string[]).includes(f));
    setFormError(onFields ? "The server rejected the request: see the highlighted fields." : errorSummary(res.error));
  }

  const invalid = (f: Field) => (fieldErrors[f] ? { "aria-invalid": true, "aria-describedby": `err-${f}` } : {});

  return (
    <form className="start-job" onSubmit={onSubmit} noValidate aria-describedby={formError ? "start-job-error" : undefined}>
      <div className="field">
        <label htmlFor="destination">Destination</label>
        <select
          id="destination"
          name="destination_id"
          value={chosenDestination}
          onChange={(e) => setDestinationId(e.target.value)}
          {...invalid("destination_id")}
        >
          {destinationList.length === 0 && <option value="">{destinations.loading ? "Loading…" : "No destinations"}</option>}
          {destinationList.map((d) => (
            <option key={d.destinationId} value={d.destinationId}>
              {d.name || d.destinationId} ({d.destinationId}){d.openNow ? "" : " — closed now"}
            </option>
          ))}
        </select>
        <FieldError id="err-destination_id" message={fieldErrors.destination_id} />
      </div>
      <div className="field">
        <label htmlFor="line-count">Lines (1–100)</label>
        <input
          id="line-count"
          name="line_count"
          type="number"
          inputMode="numeric"
          min={1}
          max={100}
          value={lineCount}
          onChange={(e) => setLineCount(e.target.value)}
          {...invalid("line_count")}
        />
        <FieldError id="err-line_count" message={fieldErrors.line_count} />
      </div>
      <div className="field">
        <label htmlFor="queue">Call queue</label>
        <select id="queue" name="queue_id" value={queueId} onChange={(e) => setQueueId(e.target.value)} {...invalid("queue_id")}>
          <option value="">Default queue{defaultQueue ? ` (${defaultQueue.name || defaultQueue.queueId})` : ""}</option>
          {queueList.map((q) => (
            <option key={q.queueId} value={q.queueId}>
              {q.name || q.queueId} — ext {q.extensionNumber}
            </option>
          ))}
        </select>
        <FieldError id="err-queue_id" message={fieldErrors.queue_id} />
      </div>
      <div className="field">
        <label htmlFor="pool">Line pool (optional)</label>
        <input id="pool" name="pool" type="text" value={pool} onChange={(e) => setPool(e.target.value)} {...invalid("pool")} />
        <FieldError id="err-pool" message={fieldErrors.pool} />
      </div>
      <div className="field">
        <label htmlFor="max-transfers">Max transfers</label>
        <input
          id="max-transfers"
          name="max_transfers"
          type="number"
          inputMode="numeric"
          min={1}
          max={100}
          value={maxTransfers}
          onChange={(e) => setMaxTransfers(e.target.value)}
          {...invalid("max_transfers")}
        />
        <FieldError id="err-max_transfers" message={fieldErrors.max_transfers} />
      </div>
      {(destinations.error || queues.error) && (
        <p className="banner error" role="alert">
          {destinations.error && <>Could not load destinations: {errorSummary(destinations.error)}. </>}
          {queues.error && <>Could not load queues: {errorSummary(queues.error)}.</>}
        </p>
      )}
      {formError && (
        <p id="start-job-error" className="banner error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Starting…" : "Start hunt"}
      </button>
    </form>
  );
}
