import { useEffect, useReducer, useState } from "react";
import { JobEndCause, JobState, type Leg, type WatchJobResponse } from "../gen/holdhunter/v1/job_pb";
import { useSession } from "../app/session";
import { useRpcAction } from "../app/useRpc";
import { useNow } from "../app/useNow";
import { ConfirmDialog, type ConfirmRequest } from "../dialogs/ConfirmDialog";
import { elapsedMs, enumLabel, formatAge } from "../display/format";
import { errorSummary } from "../errors/rpcError";
import { applyWatchMessage, emptyJobView, isJobTerminal, type JobView } from "./jobView";
import { watchJobWithResume, type WatchConnection } from "./watchJob";
import { LegCard } from "./LegCard";
import { Timeline } from "./Timeline";
import { Code } from "@connectrpc/connect";

function reducer(view: JobView, msg: WatchJobResponse): JobView {
  return applyWatchMessage(view, msg);
}

function ConnectionBadge({ state }: { state: WatchConnection }) {
  let text: string;
  switch (state.kind) {
    case "connecting":
      text = "connecting";
      break;
    case "live":
      text = "live";
      break;
    case "reconnecting":
      text = `reconnecting (attempt ${state.attempt})`;
      break;
    case "ended":
      text = state.error ? "ended (error)" : "ended";
      break;
  }
  return (
    <span
      className={`badge conn-${state.kind}`}
      data-testid="connection-state"
      data-state={state.kind}
      role="status"
      title={state.kind === "reconnecting" || state.kind === "ended" ? state.error : undefined}
    >
      {text}
    </span>
  );
}

export function LiveJobScreen({ jobId }: { jobId: string }) {
  const { clients, tokenVersion, reportUnauthenticated } = useSession();
  const run = useRpcAction();
  const [view, dispatch] = useReducer(reducer, emptyJobView);
  const [conn, setConn] = useState<WatchConnection>({ kind: "connecting" });
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [actionError, setActionError] = useState("");
  const [actionNote, setActionNote] = useState("");
  const now = useNow(1000);

  useEffect(() => {
    const ac = new AbortController();
    void watchJobWithResume({
      client: clients.jobs,
      jobId,
      signal: ac.signal,
      onMessage: dispatch,
      onConnection: (s) => {
        setConn(s);
        if (s.kind === "ended" && s.code === Code.Unauthenticated) reportUnauthenticated();
      },
    });
    return () => ac.abort();
  }, [clients, jobId, tokenVersion, reportUnauthenticated]);

  const job = view.job;
  const active = job !== undefined && !isJobTerminal(job.state);

  async function act(label: string, call: () => Promise<unknown>) {
    setActionError("");
    setActionNote(`${label}…`);
    const res = await run(call);
    if (res.ok) setActionNote(`${label}: done`);
    else {
      setActionNote("");
      setActionError(`${label} failed: ${errorSummary(res.error)}`);
      if (res.error.code === Code.Unauthenticated) reportUnauthenticated();
    }
  }

  function askStop() {
    setConfirm({
      title: `Stop job ${jobId}?`,
      body: "Every leg still on the line is hung up and the job ends STOPPED.",
      confirmLabel: "Stop job",
      onConfirm: () => void act("Stop job", () => clients.jobs.stopJob({ jobId })),
    });
  }
  function askConfirmLive(leg: Leg) {
    setConfirm({
      title: `Confirm ${leg.legId} is live?`,
      body: `${leg.legId} goes LIVE and competes for the transfer. If it wins, it is transferred to the call queue and the other legs are hung up.`,
      confirmLabel: "Confirm live",
      onConfirm: () => void act(`Confirm ${leg.legId} live`, () => clients.jobs.confirmLive({ jobId, legId: leg.legId })),
    });
  }
  function askTransfer(leg: Leg) {
    setConfirm({
      title: `Transfer ${leg.legId} to the call queue?`,
      body: "The call is transferred now and counts as one of the job's transfers; when the job is satisfied every other leg is hung up.",
      confirmLabel: "Transfer",
      onConfirm: () => void act(`Transfer ${leg.legId}`, () => clients.jobs.transferLeg({ jobId, legId: leg.legId })),
    });
  }
  function askHangup(leg: Leg) {
    setConfirm({
      title: `Hang up ${leg.legId}?`,
      body: "This call ends; the job goes on with the other legs.",
      confirmLabel: "Hang up",
      onConfirm: () => void act(`Hang up ${leg.legId}`, () => clients.jobs.hangupLeg({ jobId, legId: leg.legId })),
    });
  }

  return (
    <div className="live-job">
      <div className="section-head">
        <a href="#/jobs">← Jobs</a>
        <h1>
          Job <span className="mono">{jobId}</span>
        </h1>
        <ConnectionBadge state={conn} />
        {job && (
          <span className={`badge job-${JobState[job.state]?.toLowerCase()}`} data-testid="job-state" data-state={JobState[job.state]}>
            {enumLabel(JobState, job.state)}
          </span>
        )}
        <button type="button" className="danger" onClick={askStop} disabled={!active}>
          Stop job
        </button>
      </div>
      {conn.kind === "ended" && conn.error && (
        <p className="banner error" role="alert">
          Watching stopped: {conn.error}
        </p>
      )}
      {conn.kind === "reconnecting" && (
        <p className="banner warn">
          Connection lost ({conn.error}); reconnecting from the last event received…
        </p>
      )}
      {actionError && (
        <p className="banner error" role="alert">
          {actionError}
        </p>
      )}
      <p className="visually-hidden" aria-live="polite">
        {actionNote}
      </p>
      {job && (
        <dl className="job-facts">
          <div>
            <dt>Destination</dt>
            <dd>
              {job.destinationId} <span className="muted">{job.destinationNumber}</span>
            </dd>
          </div>
          <div>
            <dt>Queue</dt>
            <dd>{job.queueId || "default"}</dd>
          </div>
          <div>
            <dt>Lines</dt>
            <dd>
              {job.lineCount}
              {job.pool ? ` (pool ${job.pool})` : ""}
            </dd>
          </div>
          <div>
            <dt>Transfers</dt>
            <dd data-testid="transfers">
              {job.transfers}/{job.maxTransfers}
            </dd>
          </div>
          <div>
            <dt>Age</dt>
            <dd>{formatAge(elapsedMs(job.createdAt, now) ?? 0)}</dd>
          </div>
          {job.endCause !== JobEndCause.UNSPECIFIED && (
            <div>
              <dt>Ended</dt>
              <dd>{enumLabel(JobEndCause, job.endCause)}</dd>
            </div>
          )}
          {job.statusMessage && (
            <div className="wide">
              <dt>Last decision</dt>
              <dd>{job.statusMessage}</dd>
            </div>
          )}
        </dl>
      )}
      {!job && conn.kind !== "ended" && <p className="muted">Waiting for the job snapshot…</p>}
      {job && (
        <section aria-label="Legs" className="legs">
          {job.legs.map((leg) => (
            <LegCard
              key={leg.legId}
              leg={leg}
              now={now}
              jobActive={active}
              onConfirmLive={askConfirmLive}
              onTransfer={askTransfer}
              onHangup={askHangup}
            />
          ))}
        </section>
      )}
      <Timeline entries={view.timeline} />
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </div>
  );
}
