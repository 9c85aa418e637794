import { memo } from "react";
import { LegEndReason, LegState, type Leg } from "../gen/holdhunter/v1/job_pb";
import { DetectionPhase, DetectionSource } from "../gen/holdhunter/v1/detection_pb";
import { elapsedMs, enumLabel, formatConfidence, formatDuration, timestampToMs } from "../display/format";
import { canConfirmLive, canHangup, canTransfer, legHoldMs } from "./jobView";

interface Props {
  leg: Leg;
  now: number;
  jobActive: boolean;
  onConfirmLive(leg: Leg): void;
  onTransfer(leg: Leg): void;
  onHangup(leg: Leg): void;
}

export const LegCard = memo(function LegCard({ leg, now, jobActive, onConfirmLive, onTransfer, onHangup }: Props) {
  const stateName = LegState[leg.state] ?? "UNKNOWN";
  const inState = elapsedMs(leg.stateSince, now);
  const holdMs = legHoldMs(leg, now, timestampToMs(leg.holdStartedAt));
  const d = leg.detection;
  const headingId = `leg-${leg.legId}-title`;
  return (
    <article
      className={`leg leg-${stateName.toLowerCase()}${leg.winner ? " winner" : ""}`}
      aria-labelledby={headingId}
      data-testid="leg"
      data-leg-id={leg.legId}
      data-state={stateName}
      data-winner={leg.winner ? "true" : "false"}
    >
      <header>
        <h3 id={headingId}>
          {leg.legId}
          {leg.extensionNumber && <span className="muted"> · ext {leg.extensionNumber}</span>}
        </h3>
        {leg.winner && <span className="badge winner-badge">WINNER</span>}
        <span className={`badge state-${stateName.toLowerCase()}`}>{enumLabel(LegState, leg.state)}</span>
      </header>
      <dl>
        <div>
          <dt>In state</dt>
          <dd>{inState === undefined ? "—" : formatDuration(inState)}</dd>
        </div>
        <div>
          <dt>Hold</dt>
          <dd>{leg.holdStartedAt || holdMs > 0 ? formatDuration(holdMs) : "—"}</dd>
        </div>
        <div>
          <dt>Detection</dt>
          <dd>
            {d && d.phase !== DetectionPhase.UNSPECIFIED ? (
              <>
                {enumLabel(DetectionPhase, d.phase)} <strong>{formatConfidence(d.confidence)}</strong>
                {d.source !== DetectionSource.UNSPECIFIED && <span className="muted"> ({enumLabel(DetectionSource, d.source).toLowerCase()})</span>}
              </>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div className="wide">
          <dt>Cause</dt>
          <dd title={d?.detail || undefined}>
            {d?.cause || "—"}
            {d?.detail && <span className="muted detail"> {d.detail}</span>}
          </dd>
        </div>
        {leg.ivrStep && (
          <div className="wide">
            <dt>IVR</dt>
            <dd>{leg.ivrStep}</dd>
          </div>
        )}
        {leg.state === LegState.ENDED && leg.endReason !== LegEndReason.UNSPECIFIED && (
          <div className="wide">
            <dt>Ended</dt>
            <dd>
              {enumLabel(LegEndReason, leg.endReason)}
              {leg.providerErrorCode && ` (${leg.providerErrorCode})`}
            </dd>
          </div>
        )}
        {leg.partyStatus && (
          <div className="wide">
            <dt>Party</dt>
            <dd>{leg.partyStatus}</dd>
          </div>
        )}
      </dl>
      <div className="leg-actions">
        <button type="button" disabled={!jobActive || !canConfirmLive(leg)} onClick={() => onConfirmLive(leg)} aria-label={`Confirm ${leg.legId} live`}>
          Confirm live
        </button>
        <button type="button" disabled={!jobActive || !canTransfer(leg)} onClick={() => onTransfer(leg)} aria-label={`Transfer ${leg.legId}`}>
          Transfer
        </button>
        <button type="button" className="danger" disabled={!jobActive || !canHangup(leg)} onClick={() => onHangup(leg)} aria-label={`Hang up ${leg.legId}`}>
          Hang up
        </button>
      </div>
    </article>
  );
});
