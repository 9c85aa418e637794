import { describe, expect, it } from "vitest";
import { anyPack, EmptySchema, type Any } from "@bufbuild/protobuf/wkt";
import { create, toBinary } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { BadRequestSchema, ErrorInfoSchema } from "../gen/google/rpc/error_details_pb";
import { StatusSchema } from "../gen/google/rpc/status_pb";
import { JobService } from "../gen/holdhunter/v1/job_pb";
import { describeRpcError, errorSummary, normalizeFieldPath } from "./rpcError";

const formFields = ["destination_id", "line_count", "queue_id", "pool", "max_transfers"];

/**
 * A fetch that answers like tonic-web does for an error: a trailers-only grpc-web response,
 * with grpc-status, grpc-message and grpc-status-details-bin (a google.rpc.Status) in headers.
 */
function trailersOnlyFetch(headers: Record<string, string>): typeof fetch {
  return async () =>
    new Response(null, {
      status: 200,
      headers: { "content-type": "application/grpc-web+proto", ...headers },
    });
}

function statusDetailsBin(code: Code, message: string, details: Any[]): string {
  const status = create(StatusSchema, { code, message, details });
  return base64Encode(toBinary(StatusSchema, status), "std_raw");
}

async function startJobError(fetchImpl: typeof fetch): Promise<unknown> {
  const transport = createGrpcWebTransport({ baseUrl: "http://hh.test", fetch: fetchImpl });
  const client = createClient(JobService, transport);
  try {
    await client.startJob({ destinationId: "irs-pps", lineCount: 500 });
  } catch (err) {
    return err;
  }
  throw new Error("expected StartJob to fail");
}

describe("describeRpcError over grpc-web", () => {
  it("reads BadRequest field violations and the ErrorInfo reason from grpc-status-details-bin", async () => {
    const details = statusDetailsBin(Code.InvalidArgument, "line_count must be 1..=100", [
      anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: "INVALID_ARGUMENT", domain: "holdhunter.v1" })),
      anyPack(
        BadRequestSchema,
        create(BadRequestSchema, {
          fieldViolations: [{ field: "line_count", description: "must be between 1 and 100, got 500" }],
        }),
      ),
    ]);
    const err = await startJobError(
      trailersOnlyFetch({
        "grpc-status": "3",
        "grpc-message": "line_count%20must%20be%201..%3D100",
        "grpc-status-details-bin": details,
      }),
    );
    const view = describeRpcError(err, formFields);
    expect(view.code).toBe(Code.InvalidArgument);
    expect(view.codeName).toBe("invalid_argument");
    expect(view.reason).toBe("INVALID_ARGUMENT");
    expect(view.message).toBe("line_count must be 1..=100");
    expect(view.fieldErrors).toEqual({ line_count: "must be between 1 and 100, got 500" });
  });

  it("falls back to the hh-error-reason header and maps the reason to a field", async () => {
    const err = await startJobError(
      trailersOnlyFetch({
        "grpc-status": "9",
        "grpc-message": "only 3 free lines",
        "hh-error-reason": "LINES_UNAVAILABLE",
      }),
    );
    const view = describeRpcError(err, formFields);
    expect(view.code).toBe(Code.FailedPrecondition);
    expect(view.reason).toBe("LINES_UNAVAILABLE");
    expect(view.fieldErrors).toEqual({ line_count: "only 3 free lines" });
    expect(errorSummary(view)).toBe("LINES_UNAVAILABLE: only 3 free lines (failed_precondition)");
  });

  it("ignores details of other types", async () => {
    const details = statusDetailsBin(Code.Internal, "boom", [anyPack(EmptySchema, create(EmptySchema))]);
    const err = await startJobError(
      trailersOnlyFetch({ "grpc-status": "13", "grpc-message": "boom", "grpc-status-details-bin": details }),
    );
    const view = describeRpcError(err, formFields);
    expect(view.reason).toBe("");
    expect(view.fieldErrors).toEqual({});
  });
});

describe("describeRpcError fallbacks", () => {
  it("attaches an INVALID_ARGUMENT message to the field it names", () => {
    const err = new ConnectError("max_transfers exceeds line_count", Code.InvalidArgument);
    expect(describeRpcError(err, ["max_transfers"]).fieldErrors).toEqual({
      max_transfers: "max_transfers exceeds line_count",
    });
  });
  it("strips the ERROR_REASON_ prefix", () => {
    const err = new ConnectError("x", Code.NotFound, { "hh-error-reason": "ERROR_REASON_QUEUE_NOT_FOUND" });
    const view = describeRpcError(err, formFields);
    expect(view.reason).toBe("QUEUE_NOT_FOUND");
    expect(view.fieldErrors).toEqual({ queue_id: "x" });
  });
  it("wraps non-RPC errors", () => {
    const view = describeRpcError(new TypeError("Failed to fetch"));
    expect(view.code).toBe(Code.Unknown);
    expect(view.message).toBe("Failed to fetch");
  });
  it("normalizes field paths to snake_case", () => {
    expect(normalizeFieldPath("lineCount")).toBe("line_count");
    expect(normalizeFieldPath("request.max_transfers")).toBe("max_transfers");
  });
});
