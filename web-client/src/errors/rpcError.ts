// Extraction of Hold Hunter error details from a failed RPC.
//
// The server (see proto/holdhunter/v1/error.proto) returns a gRPC status whose details carry a
// `google.rpc.ErrorInfo` (reason without the `ERROR_REASON_` prefix, domain "holdhunter.v1")
// and, for invalid arguments, a `google.rpc.BadRequest` naming the field. The same reason is in
// the `hh-error-reason` response metadata for clients that cannot decode details.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../gen/google/rpc/error_details_pb";

/** A failed RPC, reduced to what the UI shows. */
export interface RpcErrorView {
  /** gRPC status code. */
  code: Code;
  /** Name of the code for display, e.g. "invalid_argument". */
  codeName: string;
  /** Stable reason, e.g. "LINES_UNAVAILABLE"; empty when the server sent none. */
  reason: string;
  /** The server's message without the "[code]" prefix. */
  message: string;
  /** Field violations keyed by snake_case request field name, e.g. `line_count`. */
  fieldErrors: Record<string, string>;
}

/** Reasons that concern one field of a request, for forms without a BadRequest detail. */
const reasonFields: Record<string, string> = {
  DESTINATION_NOT_FOUND: "destination_id",
  QUEUE_NOT_FOUND: "queue_id",
  NO_DEFAULT_QUEUE: "queue_id",
  LINES_UNAVAILABLE: "line_count",
  LINE_NOT_FOUND: "line_ids",
  LINE_IN_USE: "line_ids",
};

/** "lineCount" / "line_count" / "request.line_count" → "line_count". */
export function normalizeFieldPath(field: string): string {
  const last = field.split(".").pop() ?? field;
  return last.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function codeName(code: Code): string {
  const name = Code[code];
  return name ? name.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase() : `code_${code}`;
}

/**
 * Reduces any thrown value to an {@link RpcErrorView}. `knownFields` (snake_case) lets a form
 * attach an error to a field when the server sent neither a BadRequest detail nor a reason that
 * names one, but its message starts with a known field name (e.g. "line_count must be ...").
 */
export function describeRpcError(err: unknown, knownFields: readonly string[] = []): RpcErrorView {
  const ce = ConnectError.from(err);
  let reason = "";
  for (const info of safeFind(ce, ErrorInfoSchema)) {
    if (info.reason) {
      reason = info.reason.replace(/^ERROR_REASON_/, "");
      break;
    }
  }
  if (!reason) reason = (ce.metadata.get("hh-error-reason") ?? "").replace(/^ERROR_REASON_/, "");

  const fieldErrors: Record<string, string> = {};
  for (const bad of safeFind(ce, BadRequestSchema)) {
    for (const v of bad.fieldViolations) {
      const key = normalizeFieldPath(v.field);
      if (!(key in fieldErrors)) fieldErrors[key] = v.description || ce.rawMessage;
    }
  }
  if (Object.keys(fieldErrors).length === 0) {
    const byReason = reasonFields[reason];
    if (byReason && (knownFields.length === 0 || knownFields.includes(byReason))) {
      fieldErrors[byReason] = ce.rawMessage;
    } else if (ce.code === Code.InvalidArgument) {
      const lower = ce.rawMessage.toLowerCase();
      const hit = knownFields.find(
        (f) => lower.includes(f) || lower.includes(normalizeFieldPath(f).replaceAll("_", " ")),
      );
      if (hit) fieldErrors[hit] = ce.rawMessage;
    }
  }
  return { code: ce.code, codeName: codeName(ce.code), reason, message: ce.rawMessage, fieldErrors };
}

/** findDetails never throws on a well-formed status, but a garbled detail must not crash the UI. */
function safeFind<Desc extends DescMessage>(ce: ConnectError, desc: Desc): MessageShape<Desc>[] {
  try {
    return ce.findDetails(desc);
  } catch {
    return [];
  }
}

/** One line for a banner: "LINES_UNAVAILABLE: only 3 free lines (failed_precondition)". */
export function errorSummary(view: RpcErrorView): string {
  const head = view.reason ? `${view.reason}: ` : "";
  return `${head}${view.message || "request failed"} (${view.codeName})`;
}
