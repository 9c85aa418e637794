import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  JobEventKind,
  JobSchema,
  JobState,
  LegSchema,
  LegState,
  WatchJobResponseSchema,
  type Leg,
} from "../gen/holdhunter/v1/job_pb";
import { DetectionPhase } from "../gen/holdhunter/v1/detection_pb";
import {
  TIMELINE_LIMIT,
  applyWatchMessage,
  canConfirmLive,
  canHangup,
  emptyJobView,
  legHoldMs,
  messageIsTerminal,
  upsertLeg,
} from "./jobView";

function leg(index: number, state: LegState, extra: MessageInitShape<typeof LegSchema> = {}): Leg {
  return create(LegSchema, { ...extra, legId: `leg-${index}`, index, state });
}

function snapshot(token: string, legs: Leg[], state = JobState.HUNTING) {
  return create(WatchJobResponseSchema, {
    resumeToken: token,
    payload: {
      case: "snapshot",
      value: create(JobSchema, { jobId: "job_1", state, lineCount: legs.length, maxTransfers: 1, legs }),
    },
  });
}

function legEvent(token: string, l: Leg, jobState = JobState.HUNTING, kind = JobEventKind.LEG_STATE, transfers = 0) {
  return create(WatchJobResponseSchema, {
    resumeToken: token,
    payload: {
      case: "event",
      value: { kind, time: timestampFromMs(1_000), legId: l.legId, leg: l, jobState, transfers, message: "" },
    },
  });
}

describe("applyWatchMessage", () => {
  it("takes the snapshot as the whole job", () => {
    const v = applyWatchMessage(emptyJobView, snapshot("1-0", [leg(1, LegState.QUEUED), leg(2, LegState.QUEUED)]));
    expect(v.job?.jobId).toBe("job_1");
    expect(v.job?.legs.map((l) => l.legId)).toEqual(["leg-1", "leg-2"]);
    expect(v.lastToken).toBe("1-0");
    expect(v.timeline).toHaveLength(1);
    expect(v.timeline[0]?.kind).toBe("SNAPSHOT");
  });

  it("replaces the leg an event carries and keeps the others", () => {
    let v = applyWatchMessage(emptyJobView, snapshot("1-0", [leg(1, LegState.QUEUED), leg(2, LegState.QUEUED)]));
    const before = v;
    v = applyWatchMessage(
      v,
      legEvent("2-0", leg(2, LegState.HOLD, { detection: { phase: DetectionPhase.HOLD, confidence: 0.8, cause: "MUSIC" } })),
    );
    expect(v.job?.legs.map((l) => l.state)).toEqual([LegState.QUEUED, LegState.HOLD]);
    expect(v.job?.legs[1]?.detection?.cause).toBe("MUSIC");
    expect(v.lastToken).toBe("2-0");
    expect(v.timeline.map((e) => e.key)).toEqual(["1-0", "2-0"]);
    // the previous view is untouched (React state must not be mutated)
    expect(before.job?.legs[1]?.state).toBe(LegState.QUEUED);
    expect(before.timeline).toHaveLength(1);
  });

  it("inserts a leg the snapshot did not have, in dial order", () => {
    let v = applyWatchMessage(emptyJobView, snapshot("1-0", [leg(1, LegState.QUEUED), leg(3, LegState.QUEUED)]));
    v = applyWatchMessage(v, legEvent("2-0", leg(2, LegState.DIALING)));
    expect(v.job?.legs.map((l) => l.legId)).toEqual(["leg-1", "leg-2", "leg-3"]);
  });

  it("follows job_state, transfers and winners to TRANSFERRED", () => {
    let v = applyWatchMessage(emptyJobView, snapshot("1-0", [leg(1, LegState.HOLD), leg(2, LegState.HOLD)]));
    v = applyWatchMessage(v, legEvent("2-0", leg(2, LegState.LIVE)));
    v = applyWatchMessage(v, legEvent("3-0", leg(2, LegState.TRANSFERRING, { winner: true }), JobState.HUNTING, JobEventKind.TRANSFER_REQUESTED));
    expect(v.job?.winnerLegIds).toEqual(["leg-2"]);
    const last = legEvent("4-0", leg(2, LegState.TRANSFERRED, { winner: true }), JobState.TRANSFERRED, JobEventKind.TRANSFER_SUCCEEDED, 1);
    expect(messageIsTerminal(last)).toBe(true);
    v = applyWatchMessage(v, last);
    expect(v.job?.state).toBe(JobState.TRANSFERRED);
    expect(v.job?.transfers).toBe(1);
    expect(v.job?.endedAt).toBeDefined();
    expect(v.job?.winnerLegIds).toEqual(["leg-2"]);
  });

  it("does not lower the transfer count on an event that reports 0", () => {
    let v = applyWatchMessage(emptyJobView, snapshot("1-0", [leg(1, LegState.TRANSFERRED)]));
    v = { ...v, job: v.job && { ...v.job, transfers: 1 } };
    v = applyWatchMessage(v, legEvent("2-0", leg(1, LegState.TRANSFERRED), JobState.UNSPECIFIED, JobEventKind.NOTE, 0));
    expect(v.job?.transfers).toBe(1);
    expect(v.job?.state).toBe(JobState.HUNTING);
  });

  it("ignores a message repeated with the same resume token", () => {
    let v = applyWatchMessage(emptyJobView, snapshot("1-0", [leg(1, LegState.QUEUED)]));
    v = applyWatchMessage(v, legEvent("2-0", leg(1, LegState.DIALING)));
    const again = applyWatchMessage(v, legEvent("2-0", leg(1, LegState.DIALING)));
    expect(again).toBe(v);
  });

  it("keeps events that arrive before a snapshot in the timeline only", () => {
    const v = applyWatchMessage(emptyJobView, legEvent("5-0", leg(1, LegState.HOLD)));
    expect(v.job).toBeUndefined();
    expect(v.timeline).toHaveLength(1);
  });

  it("caps the timeline", () => {
    let v = applyWatchMessage(emptyJobView, snapshot("0-0", [leg(1, LegState.HOLD)]));
    for (let i = 1; i <= TIMELINE_LIMIT + 5; i++) v = applyWatchMessage(v, legEvent(`${i}-0`, leg(1, LegState.HOLD)));
    expect(v.timeline).toHaveLength(TIMELINE_LIMIT);
    expect(v.timeline.at(-1)?.key).toBe(`${TIMELINE_LIMIT + 5}-0`);
  });
});

describe("leg helpers", () => {
  it("upsertLeg replaces by id without reordering", () => {
    const legs = [leg(1, LegState.HOLD), leg(2, LegState.HOLD)];
    expect(upsertLeg(legs, leg(1, LegState.ENDED)).map((l) => l.state)).toEqual([LegState.ENDED, LegState.HOLD]);
  });
  it("gates operator actions by leg state", () => {
    expect(canConfirmLive(leg(1, LegState.HOLD))).toBe(true);
    expect(canConfirmLive(leg(1, LegState.DIALING))).toBe(false);
    expect(canHangup(leg(1, LegState.ENDED))).toBe(false);
    expect(canHangup(leg(1, LegState.QUEUED))).toBe(true);
  });
  it("counts hold time live while on HOLD", () => {
    expect(legHoldMs(leg(1, LegState.HOLD, { holdMs: 1_000n }), 10_000, 4_000)).toBe(6_000);
    expect(legHoldMs(leg(1, LegState.ENDED, { holdMs: 1_000n }), 10_000, 4_000)).toBe(1_000);
  });
});
