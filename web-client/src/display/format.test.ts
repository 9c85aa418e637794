import { describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { elapsedMs, enumLabel, formatAge, formatConfidence, formatDuration } from "./format";
import { LegState } from "../gen/holdhunter/v1/job_pb";

describe("formatDuration", () => {
  it("formats minutes and seconds", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(999)).toBe("0:00");
    expect(formatDuration(5_000)).toBe("0:05");
    expect(formatDuration(754_000)).toBe("12:34");
  });
  it("adds hours past one hour", () => {
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(36_000_000)).toBe("10:00:00");
  });
  it("accepts bigint (uint64 hold_ms)", () => {
    expect(formatDuration(65_000n)).toBe("1:05");
  });
  it("never shows negative or NaN durations", () => {
    expect(formatDuration(-3000)).toBe("0:00");
    expect(formatDuration(Number.NaN)).toBe("0:00");
  });
});

describe("formatAge", () => {
  it("picks a coarse unit", () => {
    expect(formatAge(45_000)).toBe("45s");
    expect(formatAge(12 * 60_000 + 5_000)).toBe("12m");
    expect(formatAge(3 * 3_600_000 + 5 * 60_000)).toBe("3h 05m");
    expect(formatAge(52 * 3_600_000)).toBe("2d 4h");
    expect(formatAge(-10)).toBe("0s");
  });
});

describe("formatConfidence", () => {
  it("rounds to a whole percentage", () => {
    expect(formatConfidence(0.934)).toBe("93%");
    expect(formatConfidence(0.935)).toBe("94%");
    expect(formatConfidence(0)).toBe("0%");
    expect(formatConfidence(1)).toBe("100%");
  });
  it("clamps out-of-range and shows NaN as a dash", () => {
    expect(formatConfidence(1.7)).toBe("100%");
    expect(formatConfidence(-0.2)).toBe("0%");
    expect(formatConfidence(Number.NaN)).toBe("–");
  });
});

describe("elapsedMs", () => {
  it("is undefined for an unset timestamp and clamps clock skew to 0", () => {
    expect(elapsedMs(undefined, 1000)).toBeUndefined();
    expect(elapsedMs(timestampFromMs(10_000), 12_500)).toBe(2_500);
    expect(elapsedMs(timestampFromMs(10_000), 9_000)).toBe(0);
  });
});

describe("enumLabel", () => {
  it("names generated enum values for display", () => {
    expect(enumLabel(LegState, LegState.NEEDS_HUMAN)).toBe("NEEDS HUMAN");
    expect(enumLabel(LegState, LegState.UNSPECIFIED)).toBe("—");
    expect(enumLabel(LegState, 99)).toBe("#99");
  });
});
