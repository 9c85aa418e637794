// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../gen/google/rpc/error_details_pb";
import { DestinationService } from "../gen/holdhunter/v1/destination_pb";
import { QueueService } from "../gen/holdhunter/v1/line_pb";
import {
  JobEventKind,
  JobSchema,
  JobService,
  JobState,
  LegSchema,
  LegState,
  type StartJobRequest,
} from "../gen/holdhunter/v1/job_pb";
import { testSession, WithSession } from "../app/testSession";
import { StartJobForm } from "./StartJobForm";
import { LiveJobScreen } from "./LiveJobScreen";

afterEach(cleanup);

function formServer(startJob: (req: StartJobRequest) => Promise<{ job: ReturnType<typeof create<typeof JobSchema>> }>) {
  const requests: StartJobRequest[] = [];
  const session = testSession((router) => {
    router.service(DestinationService, {
      listDestinations: async () => ({
        destinations: [
          { destinationId: "irs-individual", name: "IRS Individual" },
          { destinationId: "irs-pps", name: "IRS Practitioner Priority Service", openNow: true },
        ],
      }),
    });
    router.service(QueueService, {
      listQueues: async () => ({ queues: [{ queueId: "q-1", name: "Tax Team", extensionNumber: "1001", isDefault: true }] }),
    });
    router.service(JobService, {
      startJob: async (req) => {
        requests.push(req);
        return startJob(req);
      },
    });
  });
  return { session, requests };
}

describe("StartJobForm", () => {
  it("shows the server's field violation on the field it names", async () => {
    const { session, requests } = formServer(async () => {
      throw new ConnectError("line_count: out of range", Code.InvalidArgument, { "hh-error-reason": "INVALID_ARGUMENT" }, [
        { desc: BadRequestSchema, value: { fieldViolations: [{ field: "line_count", description: "must be between 1 and 100, got 500" }] } },
      ]);
    });
    render(
      <WithSession session={session}>
        <StartJobForm />
      </WithSession>,
    );
    await screen.findByRole("option", { name: /IRS Practitioner Priority Service/ });
    fireEvent.change(screen.getByLabelText("Destination"), { target: { value: "irs-pps" } });
    fireEvent.change(screen.getByLabelText("Lines (1–100)"), { target: { value: "500" } });
    fireEvent.click(screen.getByRole("button", { name: "Start hunt" }));
    expect(await screen.findByText("must be between 1 and 100, got 500")).toBeTruthy();
    const lines = screen.getByLabelText("Lines (1–100)");
    expect(lines.getAttribute("aria-invalid")).toBe("true");
    expect(lines.getAttribute("aria-describedby")).toBe("err-line_count");
    expect(screen.getByLabelText("Destination").getAttribute("aria-invalid")).toBeNull();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.destinationId).toBe("irs-pps");
    expect(requests[0]?.lineCount).toBe(500);
    expect(requests[0]?.requestId).not.toBe("");
  });

  it("opens the new job after a successful start", async () => {
    window.location.hash = "#/jobs";
    const { session, requests } = formServer(async (req) => ({
      job: create(JobSchema, { jobId: "job_42", state: JobState.HUNTING, lineCount: req.lineCount }),
    }));
    render(
      <WithSession session={session}>
        <StartJobForm />
      </WithSession>,
    );
    await screen.findByRole("option", { name: /IRS Individual/ });
    fireEvent.click(screen.getByRole("button", { name: "Start hunt" }));
    await waitFor(() => expect(window.location.hash).toBe("#/jobs/job_42"));
    // defaults: the irs-pps preset (listed second), 6 lines, default queue (empty), 1 transfer
    expect(requests[0]).toMatchObject({ destinationId: "irs-pps", lineCount: 6, queueId: "", maxTransfers: 1 });
  });
});

describe("LiveJobScreen", () => {
  it("renders legs from the watch stream, highlights the winner and ends with the job", async () => {
    const legs = [1, 2, 3].map((i) => create(LegSchema, { legId: `leg-${i}`, index: i, state: LegState.HOLD }));
    const session = testSession((router) => {
      router.service(JobService, {
        async *watchJob(req) {
          expect(req.jobId).toBe("job_7");
          yield { resumeToken: "1-0", payload: { case: "snapshot", value: create(JobSchema, { jobId: "job_7", state: JobState.HUNTING, lineCount: 3, maxTransfers: 1, legs }) } };
          yield {
            resumeToken: "2-0",
            payload: {
              case: "event",
              value: {
                kind: JobEventKind.TRANSFER_SUCCEEDED,
                legId: "leg-2",
                leg: create(LegSchema, { legId: "leg-2", index: 2, state: LegState.TRANSFERRED, winner: true, detection: { phase: 3, confidence: 0.93, cause: "NEW_SPEECH_AFTER_MUSIC" } }),
                jobState: JobState.HUNTING,
                transfers: 1,
                message: "RingCentral accepted the transfer",
              },
            },
          };
          for (const i of [1, 3]) {
            yield {
              resumeToken: `${i + 2}-0`,
              payload: { case: "event", value: { kind: JobEventKind.LEG_STATE, legId: `leg-${i}`, leg: create(LegSchema, { legId: `leg-${i}`, index: i, state: LegState.ENDED, endReason: 9 }), jobState: i === 3 ? JobState.TRANSFERRED : JobState.HUNTING, transfers: 1 } },
            };
          }
        },
      });
    });
    const { container } = render(
      <WithSession session={session}>
        <LiveJobScreen jobId="job_7" />
      </WithSession>,
    );
    await waitFor(() => expect(screen.getByTestId("connection-state").getAttribute("data-state")).toBe("ended"));
    expect(screen.getByTestId("job-state").getAttribute("data-state")).toBe("TRANSFERRED");
    expect(screen.getByTestId("transfers").textContent).toBe("1/1");
    const cards = [...container.querySelectorAll("[data-testid=leg]")].map((e) => [e.getAttribute("data-leg-id"), e.getAttribute("data-state"), e.getAttribute("data-winner")]);
    expect(cards).toEqual([
      ["leg-1", "ENDED", "false"],
      ["leg-2", "TRANSFERRED", "true"],
      ["leg-3", "ENDED", "false"],
    ]);
    expect(screen.getByText("WINNER")).toBeTruthy();
    expect(screen.getByText("93%")).toBeTruthy();
    expect(screen.getAllByText("LOST RACE")).toHaveLength(2);
    expect((screen.getByRole("button", { name: "Stop job" }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(screen.getByTestId("timeline")).getByText("RingCentral accepted the transfer")).toBeTruthy();
  });
});
