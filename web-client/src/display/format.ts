// Formatting of durations, confidences, timestamps and enum names for display.
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";

/**
 * A duration in milliseconds as a clock: "0:05", "12:34", "1:02:03".
 * Negative or non-finite values show as "0:00" (clock skew must never show "-0:03").
 */
export function formatDuration(ms: number | bigint): string {
  let total = typeof ms === "bigint" ? Number(ms) : ms;
  if (!Number.isFinite(total) || total < 0) total = 0;
  const seconds = Math.floor(total / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const ss = String(s).padStart(2, "0");
  if (h > 0) return `${h}:${String(m).padStart(2, "0")}:${ss}`;
  return `${m}:${ss}`;
}

/** A coarse age for lists: "45s", "12m", "3h 05m", "2d 4h". Negative shows as "0s". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/**
 * A detector confidence (0.0 ..= 1.0) as a whole percentage: 0.934 → "93%".
 * Out-of-range values are clamped; NaN shows as "–".
 */
export function formatConfidence(confidence: number): string {
  if (Number.isNaN(confidence)) return "–";
  const clamped = Math.min(1, Math.max(0, confidence));
  return `${Math.round(clamped * 100)}%`;
}

/** Milliseconds since the epoch of a protobuf Timestamp, or undefined when unset. */
export function timestampToMs(ts: Timestamp | undefined): number | undefined {
  return ts ? timestampMs(ts) : undefined;
}

/** Milliseconds from `ts` to `nowMs`, or undefined when `ts` is unset. Never negative. */
export function elapsedMs(ts: Timestamp | undefined, nowMs: number): number | undefined {
  const at = timestampToMs(ts);
  return at === undefined ? undefined : Math.max(0, nowMs - at);
}

/** Wall-clock time of day with milliseconds, local time: "14:03:07.125". */
export function formatClock(ts: Timestamp | undefined): string {
  const at = timestampToMs(ts);
  if (at === undefined) return "--:--:--";
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * The display name of a generated enum value: `enumLabel(LegState, 7)` → "NEEDS HUMAN".
 * Unknown numbers (a newer server) show as "#<n>"; UNSPECIFIED shows as "—".
 */
export function enumLabel(enumObject: Record<number, string>, value: number): string {
  const name = enumObject[value];
  if (name === undefined) return `#${value}`;
  if (name === "UNSPECIFIED") return "—";
  return name.replaceAll("_", " ");
}
