// The live job view model: a job with its legs plus a timeline, updated by WatchJob messages.
//
// WatchJob (proto/holdhunter/v1/job.proto) sends a full snapshot first, then ordered events.
// Leg events carry the full updated `leg`; every event carries the job's `job_state` and
// `transfers` after the event. Applying a message never mutates the previous view (React state).
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  JobEventKind,
  JobState,
  LegState,
  type Job,
  type JobEvent,
  type Leg,
  type WatchJobResponse,
} from "../gen/holdhunter/v1/job_pb";

/** One line of the job timeline. */
export interface TimelineEntry {
  /** Resume token of the message that produced it (unique per stream), or a local id. */
  key: string;
  /** Server time of the event; unset for local entries (snapshots). */
  time?: Timestamp;
  kind: JobEventKind | "SNAPSHOT";
  legId: string;
  message: string;
}

/** What the live job screen renders. */
export interface JobView {
  /** Undefined until the first snapshot arrives. */
  job?: Job;
  /** Oldest first; capped at {@link TIMELINE_LIMIT} entries (oldest dropped). */
  timeline: TimelineEntry[];
  /** Resume token of the last applied message; empty before any. */
  lastToken: string;
  /** Messages applied so far (snapshots and events). */
  applied: number;
}

/** Maximum timeline entries kept in memory. */
export const TIMELINE_LIMIT = 1000;

export const emptyJobView: JobView = { timeline: [], lastToken: "", applied: 0 };

/** Terminal job states (HUNTING is the only non-terminal one). */
export function isJobTerminal(state: JobState): boolean {
  return state !== JobState.HUNTING && state !== JobState.UNSPECIFIED;
}

/** Terminal leg states. */
export function isLegTerminal(state: LegState): boolean {
  return state === LegState.TRANSFERRED || state === LegState.ENDED;
}

/** Legs an operator may confirm live: connected to the destination and not yet competing. */
export function canConfirmLive(leg: Leg): boolean {
  return leg.state === LegState.IVR || leg.state === LegState.HOLD;
}

/** Legs an operator may transfer: connected, not yet transferring. */
export function canTransfer(leg: Leg): boolean {
  return (
    leg.state === LegState.IVR ||
    leg.state === LegState.HOLD ||
    leg.state === LegState.LIVE ||
    leg.state === LegState.NEEDS_HUMAN
  );
}

/** Legs an operator may hang up: anything not yet terminal and not being transferred. */
export function canHangup(leg: Leg): boolean {
  return !isLegTerminal(leg.state) && leg.state !== LegState.TRANSFERRING;
}

/** Replaces (by leg_id) or inserts a leg, keeping dial order (index, then id). */
export function upsertLeg(legs: readonly Leg[], leg: Leg): Leg[] {
  const i = legs.findIndex((l) => l.legId === leg.legId);
  if (i >= 0) {
    const next = legs.slice();
    next[i] = leg;
    return next;
  }
  return [...legs, leg].sort((a, b) => a.index - b.index || a.legId.localeCompare(b.legId));
}

function eventSummary(ev: JobEvent): string {
  if (ev.message) return ev.message;
  if (ev.kind === JobEventKind.JOB_STATE) return `job ${JobState[ev.jobState] ?? ev.jobState}`;
  if (ev.leg) return `${ev.leg.legId} ${LegState[ev.leg.state] ?? ev.leg.state}`;
  return JobEventKind[ev.kind] ?? String(ev.kind);
}

function withTimeline(view: JobView, entry: TimelineEntry): TimelineEntry[] {
  const next = [...view.timeline, entry];
  return next.length > TIMELINE_LIMIT ? next.slice(next.length - TIMELINE_LIMIT) : next;
}

/** Applies one event to a job (pure). */
export function applyEvent(job: Job, ev: JobEvent): Job {
  let legs = job.legs;
  let winners = job.winnerLegIds;
  if (ev.leg && ev.leg.legId) {
    legs = upsertLeg(legs, ev.leg);
    if (ev.leg.winner && !winners.includes(ev.leg.legId)) winners = [...winners, ev.leg.legId];
  }
  const state = ev.jobState !== JobState.UNSPECIFIED ? ev.jobState : job.state;
  const next: Job = {
    ...job,
    legs,
    winnerLegIds: winners,
    state,
    // `transfers` is the count after the event; a 0 on an event that is not about transfers
    // cannot lower a count the server already reported.
    transfers: Math.max(job.transfers, ev.transfers),
    updatedAt: ev.time ?? job.updatedAt,
  };
  if (ev.kind === JobEventKind.JOB_STATE && ev.message) next.statusMessage = ev.message;
  if (
    ev.kind === JobEventKind.TRANSFER_REQUESTED ||
    ev.kind === JobEventKind.TRANSFER_SUCCEEDED ||
    ev.kind === JobEventKind.TRANSFER_FAILED
  ) {
    if (ev.message) next.statusMessage = ev.message;
  }
  if (isJobTerminal(state) && !isJobTerminal(job.state) && !next.endedAt && ev.time) {
    next.endedAt = ev.time;
  }
  return next;
}

/**
 * Applies one WatchJob message (pure). A message whose resume token equals the last applied
 * one is a duplicate (a resumed stream that repeated it) and is ignored. Events that arrive
 * before any snapshot are kept in the timeline only.
 */
export function applyWatchMessage(view: JobView, msg: WatchJobResponse): JobView {
  if (msg.resumeToken && msg.resumeToken === view.lastToken) return view;
  const key = msg.resumeToken || `local-${view.applied}`;
  const lastToken = msg.resumeToken || view.lastToken;
  const applied = view.applied + 1;
  switch (msg.payload.case) {
    case "snapshot": {
      const job = msg.payload.value;
      const entry: TimelineEntry = {
        key,
        time: job.updatedAt,
        kind: "SNAPSHOT",
        legId: "",
        message:
          view.job === undefined
            ? `snapshot: ${job.legs.length} legs, job ${JobState[job.state] ?? job.state}`
            : "fresh snapshot after reconnect",
      };
      return { job, timeline: withTimeline(view, entry), lastToken, applied };
    }
    case "event": {
      const ev = msg.payload.value;
      const entry: TimelineEntry = {
        key,
        time: ev.time,
        kind: ev.kind,
        legId: ev.legId || ev.leg?.legId || "",
        message: eventSummary(ev),
      };
      return {
        job: view.job ? applyEvent(view.job, ev) : undefined,
        timeline: withTimeline(view, entry),
        lastToken,
        applied,
      };
    }
    default:
      return { ...view, lastToken, applied };
  }
}

/** True when this message leaves the job terminal (the stream will end after it). */
export function messageIsTerminal(msg: WatchJobResponse): boolean {
  if (msg.payload.case === "snapshot") return isJobTerminal(msg.payload.value.state);
  if (msg.payload.case === "event") return isJobTerminal(msg.payload.value.jobState);
  return false;
}

/** Hold time of a leg at `nowMs`: live while on HOLD, else the server's figure. */
export function legHoldMs(leg: Leg, nowMs: number, holdStartedMs: number | undefined): number {
  const reported = Number(leg.holdMs);
  if (leg.state === LegState.HOLD && holdStartedMs !== undefined) {
    return Math.max(reported, nowMs - holdStartedMs);
  }
  return reported;
}
