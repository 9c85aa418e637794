import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { ListJobsResponseSchema, JobSchema, JobState } from "../gen/holdhunter/v1/job_pb";
import { createClients, createServerTransport } from "./transport";
import { TOKEN_STORAGE_KEY, loadToken, resolveServerUrl, saveToken } from "./settings";

/** Frames one grpc-web data message and a trailer frame with grpc-status 0. */
function grpcWebBody(payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const trailer = new TextEncoder().encode("grpc-status: 0\r\ngrpc-message: \r\n");
  const out = new Uint8Array(5 + payload.length + 5 + trailer.length);
  const view = new DataView(out.buffer);
  out[0] = 0x00;
  view.setUint32(1, payload.length);
  out.set(payload, 5);
  const t = 5 + payload.length;
  out[t] = 0x80;
  view.setUint32(t + 1, trailer.length);
  out.set(trailer, t + 5);
  return out;
}

function recordingFetch() {
  const seen: { url: string; headers: Headers }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), headers: new Headers(init?.headers) });
    const body = toBinary(
      ListJobsResponseSchema,
      create(ListJobsResponseSchema, { jobs: [create(JobSchema, { jobId: "job_9", state: JobState.HUNTING })] }),
    );
    return new Response(grpcWebBody(body) as Uint8Array<ArrayBuffer>, { status: 200, headers: { "content-type": "application/grpc-web+proto" } });
  };
  return { seen, fetchImpl };
}

describe("server transport", () => {
  it("sends grpc-web with the bearer token read at call time", async () => {
    const { seen, fetchImpl } = recordingFetch();
    let token = "";
    const originalFetch = globalThis.fetch;
    globalThis.fetch = fetchImpl;
    try {
      const clients = createClients(createServerTransport("http://127.0.0.1:7000", () => token));
      await clients.jobs.listJobs({});
      token = "test-token-123";
      const res = await clients.jobs.listJobs({});
      expect(res.jobs[0]?.jobId).toBe("job_9");
    } finally {
      globalThis.fetch = originalFetch;
    }
    expect(seen[0]?.url).toBe("http://127.0.0.1:7000/holdhunter.v1.JobService/ListJobs");
    expect(seen[0]?.headers.get("content-type")).toBe("application/grpc-web+proto");
    expect(seen[0]?.headers.has("authorization")).toBe(false);
    expect(seen[1]?.headers.get("authorization")).toBe("Bearer test-token-123");
  });
});

describe("settings", () => {
  it("uses ?server= when given, else the page origin", () => {
    expect(resolveServerUrl({ search: "?server=http://127.0.0.1:5001/", origin: "http://x" })).toBe("http://127.0.0.1:5001");
    expect(resolveServerUrl({ search: "", origin: "http://127.0.0.1:8080" })).toBe("http://127.0.0.1:8080");
    expect(resolveServerUrl({ search: "?server=", origin: "http://o" })).toBe("http://o");
  });
  it("keeps the token in storage and removes it when cleared", () => {
    const map = new Map<string, string>();
    const storage = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    expect(loadToken(storage)).toBe("");
    saveToken(storage, "test-token");
    expect(map.get(TOKEN_STORAGE_KEY)).toBe("test-token");
    expect(loadToken(storage)).toBe("test-token");
    saveToken(storage, "");
    expect(map.has(TOKEN_STORAGE_KEY)).toBe(false);
  });
});
