// A WatchJob stream that survives network drops: it reconnects with the last resume token and
// reports its connection state. The stream is done when the job is terminal.
import { Code, type Client } from "@connectrpc/connect";
import type { JobService, WatchJobResponse } from "../gen/holdhunter/v1/job_pb";
import { messageIsTerminal } from "./jobView";
import { describeRpcError, errorSummary } from "../errors/rpcError";

/** Connection state shown on the live job screen. */
export type WatchConnection =
  | { kind: "connecting" }
  | { kind: "live" }
  | { kind: "reconnecting"; attempt: number; retryInMs: number; error: string }
  | { kind: "ended"; error?: string; code?: Code };

export interface WatchJobOptions {
  client: Client<typeof JobService>;
  jobId: string;
  /** Aborting stops the watch (no further callbacks). */
  signal: AbortSignal;
  onMessage(msg: WatchJobResponse): void;
  onConnection(state: WatchConnection): void;
  /** Delay before reconnect attempt n (1-based), in ms. Default: 500 ms doubling to 8 s. */
  backoffMs?: (attempt: number) => number;
  /** Resume token to start from (empty: start with a snapshot). */
  resumeToken?: string;
}

/** Status codes after which reconnecting cannot help. */
const permanentCodes = new Set<Code>([
  Code.NotFound,
  Code.Unauthenticated,
  Code.PermissionDenied,
  Code.InvalidArgument,
  Code.Unimplemented,
]);

export function defaultBackoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** Math.max(0, attempt - 1));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/**
 * Runs WatchJob until the job is terminal, a permanent error occurs, or `signal` aborts.
 * After a transient failure (network drop, UNAVAILABLE, server shutdown closing the stream
 * before the job ended) it reconnects with the last resume token, so no event is missed.
 * A rejected resume token (INVALID_RESUME_TOKEN) restarts from a fresh snapshot.
 */
export async function watchJobWithResume(opts: WatchJobOptions): Promise<void> {
  const { client, jobId, signal } = opts;
  const backoff = opts.backoffMs ?? defaultBackoffMs;
  let token = opts.resumeToken ?? "";
  let attempt = 0;
  let terminal = false;
  opts.onConnection({ kind: "connecting" });
  while (!signal.aborted) {
    let failure = "stream closed by the server";
    try {
      const stream = client.watchJob(
        { jobId, resumeToken: token },
        { signal, onHeader: () => !signal.aborted && opts.onConnection({ kind: "live" }) },
      );
      for await (const msg of stream) {
        if (signal.aborted) return;
        if (attempt > 0) attempt = 0;
        if (msg.resumeToken) token = msg.resumeToken;
        opts.onMessage(msg);
        if (messageIsTerminal(msg)) terminal = true;
      }
      if (signal.aborted) return;
      if (terminal) {
        opts.onConnection({ kind: "ended" });
        return;
      }
    } catch (err) {
      if (signal.aborted) return;
      const view = describeRpcError(err);
      if (terminal) {
        // The job already ended; a broken tail of the stream changes nothing.
        opts.onConnection({ kind: "ended" });
        return;
      }
      if (view.reason === "INVALID_RESUME_TOKEN") {
        token = "";
      } else if (permanentCodes.has(view.code)) {
        opts.onConnection({ kind: "ended", error: errorSummary(view), code: view.code });
        return;
      }
      failure = errorSummary(view);
    }
    attempt += 1;
    const retryInMs = backoff(attempt);
    opts.onConnection({ kind: "reconnecting", attempt, retryInMs, error: failure });
    await sleep(retryInMs, signal);
  }
}
