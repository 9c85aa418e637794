import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import {
  JobEventKind,
  JobSchema,
  JobService,
  JobState,
  LegSchema,
  LegState,
  WatchJobResponseSchema,
  type WatchJobRequest,
  type WatchJobResponse,
} from "../gen/holdhunter/v1/job_pb";
import { applyWatchMessage, emptyJobView, type JobView } from "./jobView";
import { watchJobWithResume, type WatchConnection } from "./watchJob";

/** The job's event log as the server keeps it: message i has resume token `${i}-0`. */
function jobLog(): WatchJobResponse[] {
  const legs = [1, 2, 3].map((i) => create(LegSchema, { legId: `leg-${i}`, index: i, state: LegState.QUEUED }));
  const log: WatchJobResponse[] = [
    create(WatchJobResponseSchema, {
      resumeToken: "0-0",
      payload: { case: "snapshot", value: create(JobSchema, { jobId: "job_1", state: JobState.HUNTING, legs }) },
    }),
  ];
  const steps: [number, LegState, JobState, boolean][] = [
    [1, LegState.HOLD, JobState.HUNTING, false],
    [2, LegState.HOLD, JobState.HUNTING, false],
    [3, LegState.HOLD, JobState.HUNTING, false],
    [2, LegState.TRANSFERRED, JobState.HUNTING, true],
    [1, LegState.ENDED, JobState.HUNTING, false],
    [3, LegState.ENDED, JobState.TRANSFERRED, false],
  ];
  steps.forEach(([i, state, jobState, winner], n) => {
    log.push(
      create(WatchJobResponseSchema, {
        resumeToken: `${n + 1}-0`,
        payload: {
          case: "event",
          value: {
            kind: JobEventKind.LEG_STATE,
            legId: `leg-${i}`,
            leg: create(LegSchema, { legId: `leg-${i}`, index: i, state, winner }),
            jobState,
            transfers: winner || jobState === JobState.TRANSFERRED ? 1 : 0,
          },
        },
      }),
    );
  });
  return log;
}

/** Serves the log: resumes after the request's token; `plan` decides how each call fails. */
function server(plan: (call: number, req: WatchJobRequest) => { upTo?: number; error?: ConnectError }) {
  const log = jobLog();
  const requests: WatchJobRequest[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(JobService, {
      async *watchJob(req) {
        requests.push(req);
        const call = requests.length;
        const { upTo, error } = plan(call, req);
        const start = req.resumeToken === "" ? 0 : log.findIndex((m) => m.resumeToken === req.resumeToken) + 1;
        if (req.resumeToken !== "" && start === 0) throw new ConnectError("bad token", Code.InvalidArgument);
        const end = upTo ?? log.length;
        for (let i = start; i < end; i++) yield log[i]!;
        if (error) throw error;
      },
    });
  });
  return { client: createClient(JobService, transport), requests, log };
}

async function runWatch(client: ReturnType<typeof server>["client"], signal = new AbortController().signal) {
  let view: JobView = emptyJobView;
  const states: WatchConnection[] = [];
  await watchJobWithResume({
    client,
    jobId: "job_1",
    signal,
    backoffMs: () => 1,
    onMessage: (m) => (view = applyWatchMessage(view, m)),
    onConnection: (s) => states.push(s),
  });
  return { view: () => view, states };
}

describe("watchJobWithResume", () => {
  it("reconnects after a network drop with the last resume token and misses nothing", async () => {
    const s = server((call) => (call === 1 ? { upTo: 3, error: new ConnectError("network drop", Code.Unavailable) } : {}));
    const { view, states } = await runWatch(s.client);
    expect(s.requests.map((r) => r.resumeToken)).toEqual(["", "2-0"]);
    expect(view().timeline.map((e) => e.key)).toEqual(s.log.map((m) => m.resumeToken));
    expect(view().job?.state).toBe(JobState.TRANSFERRED);
    expect(view().job?.legs.map((l) => l.state)).toEqual([LegState.ENDED, LegState.TRANSFERRED, LegState.ENDED]);
    expect(view().job?.winnerLegIds).toEqual(["leg-2"]);
    expect(states.map((x) => x.kind)).toEqual(["connecting", "live", "reconnecting", "live", "ended"]);
    const reconnecting = states[2];
    expect(reconnecting?.kind === "reconnecting" && reconnecting.error).toContain("network drop");
  });

  it("reconnects when the server closes the stream before the job ended (shutdown)", async () => {
    const s = server((call) => (call === 1 ? { upTo: 2 } : {}));
    const { view, states } = await runWatch(s.client);
    expect(s.requests.map((r) => r.resumeToken)).toEqual(["", "1-0"]);
    expect(view().job?.state).toBe(JobState.TRANSFERRED);
    expect(states.at(-1)).toEqual({ kind: "ended" });
  });

  it("keeps retrying with backoff while the server is unreachable", async () => {
    const s = server((call) =>
      call === 1 ? { upTo: 2, error: new ConnectError("down", Code.Unavailable) } : call < 4 ? { upTo: 0, error: new ConnectError("down", Code.Unavailable) } : {},
    );
    const { view, states } = await runWatch(s.client);
    expect(s.requests.map((r) => r.resumeToken)).toEqual(["", "1-0", "1-0", "1-0"]);
    const attempts = states.flatMap((x) => (x.kind === "reconnecting" ? [x.attempt] : []));
    expect(attempts).toEqual([1, 2, 3]);
    expect(view().job?.state).toBe(JobState.TRANSFERRED);
  });

  it("starts over from a snapshot when the resume token is rejected", async () => {
    const s = server((call) =>
      call === 1
        ? { upTo: 2, error: new ConnectError("drop", Code.Unavailable) }
        : call === 2
          ? { upTo: 0, error: new ConnectError("token expired", Code.InvalidArgument, { "hh-error-reason": "INVALID_RESUME_TOKEN" }) }
          : {},
    );
    const { view } = await runWatch(s.client);
    expect(s.requests.map((r) => r.resumeToken)).toEqual(["", "1-0", ""]);
    expect(view().job?.state).toBe(JobState.TRANSFERRED);
    expect(view().timeline.filter((e) => e.kind === "SNAPSHOT")).toHaveLength(2);
  });

  it("gives up on a permanent error and says why", async () => {
    const s = server(() => ({ upTo: 0, error: new ConnectError("no such job", Code.NotFound, { "hh-error-reason": "JOB_NOT_FOUND" }) }));
    const { states } = await runWatch(s.client);
    expect(s.requests).toHaveLength(1);
    expect(states.at(-1)).toEqual({ kind: "ended", error: "JOB_NOT_FOUND: no such job (not_found)", code: Code.NotFound });
  });

  it("stops without further callbacks when aborted", async () => {
    const ac = new AbortController();
    const s = server(() => ({ upTo: 0, error: new ConnectError("down", Code.Unavailable) }));
    const states: WatchConnection[] = [];
    const done = watchJobWithResume({
      client: s.client,
      jobId: "job_1",
      signal: ac.signal,
      backoffMs: () => 60_000,
      onMessage: () => {},
      onConnection: (x) => states.push(x),
    });
    while (!states.some((x) => x.kind === "reconnecting")) await new Promise((r) => setTimeout(r, 1));
    ac.abort();
    await done;
    expect(states.at(-1)?.kind).toBe("reconnecting");
    expect(s.requests).toHaveLength(1);
  });
});
