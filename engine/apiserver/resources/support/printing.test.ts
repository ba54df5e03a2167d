import { describe, expect, it } from "vitest";
import {
  formatLabelSelector,
  formatLabels,
  humanDuration,
  labelSelectorString,
  translateTimestampSince,
} from "./printing";

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

// Cases from apimachinery's duration_test.go (TestHumanDuration, TestHumanDurationBoundaries).
describe("humanDuration", () => {
  const cases: Array<[number, string]> = [
    [second, "1s"],
    [70 * second, "70s"],
    [190 * second, "3m10s"],
    [70 * minute, "70m"],
    [47 * hour, "47h"],
    [49 * hour, "2d1h"],
    [(8 * 24 + 2) * hour, "8d"],
    [367 * day, "367d"],
    [(365 * 2 * 24 + 25) * hour, "2y1d"],
    [(365 * 8 * 24 + 2) * hour, "8y"],
    [-2 * second, "<invalid>"],
    [-2 * second + 1, "0s"],
    [0, "0s"],
    [second - 1, "0s"],
    [2 * minute - 1, "119s"],
    [2 * minute, "2m"],
    [2 * minute + second, "2m1s"],
    [10 * minute - 1, "9m59s"],
    [10 * minute, "10m"],
    [10 * minute + second, "10m"],
    [3 * hour - 1, "179m"],
    [3 * hour, "3h"],
    [3 * hour + minute, "3h1m"],
    [8 * hour - 1, "7h59m"],
    [8 * hour, "8h"],
    [8 * hour + 59 * minute, "8h"],
    [2 * day - 1, "47h"],
    [2 * day, "2d"],
    [2 * day + hour, "2d1h"],
    [8 * day - 1, "7d23h"],
    [8 * day, "8d"],
    [8 * day + 23 * hour, "8d"],
    [2 * 365 * day - 1, "729d"],
    [2 * 365 * day, "2y"],
    [2 * 365 * day + 23 * hour, "2y"],
    [2 * 365 * day + 24 * hour - 1, "2y"],
    [2 * 365 * day + 24 * hour, "2y1d"],
    [3 * 365 * day, "3y"],
    [8 * 365 * day - 1, "7y364d"],
    [8 * 365 * day, "8y"],
    [8 * 365 * day + 364 * day, "8y"],
    [9 * 365 * day, "9y"],
  ];
  it.each(cases)("%d ms → %s", (milliseconds, expected) => {
    expect(humanDuration(milliseconds)).toBe(expected);
  });

  it("prints the age of a timestamp, <unknown> without one", () => {
    const now = Date.parse("2026-01-01T00:10:00Z");
    expect(translateTimestampSince("2026-01-01T00:00:00Z", now)).toBe("10m");
    expect(translateTimestampSince(undefined, now)).toBe("<unknown>");
  });
});

describe("label formatting", () => {
  it("formats label maps sorted, <none> when empty", () => {
    expect(formatLabels({ b: "2", a: "1" })).toBe("a=1,b=2");
    expect(formatLabels({})).toBe("<none>");
  });

  it("formats selectors as labels.Selector.String()", () => {
    const selector = {
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In" as const, values: ["front", "back"] },
        { key: "env", operator: "NotIn" as const, values: ["prod"] },
        { key: "canary", operator: "DoesNotExist" as const },
        { key: "zone", operator: "Exists" as const },
      ],
    };
    expect(labelSelectorString(selector)).toBe("app=web,!canary,env notin (prod),tier in (back,front),zone");
    expect(formatLabelSelector({})).toBe("<none>");
    expect(labelSelectorString({})).toBe("");
  });
});
