import { describe, expect, it } from "vitest";
import { parseSchedule } from "./schedule";

const at = (iso: string) => Date.parse(iso);

describe("parseSchedule", () => {
  const cases: Array<{ name: string; spec: string; zone?: string; after: string; next: string }> = [
    { name: "every minute", spec: "* * * * *", after: "2026-01-01T00:00:30Z", next: "2026-01-01T00:01:00Z" },
    { name: "every 5 minutes", spec: "*/5 * * * *", after: "2026-01-01T00:03:00Z", next: "2026-01-01T00:05:00Z" },
    { name: "hourly descriptor", spec: "@hourly", after: "2026-01-01T10:00:00Z", next: "2026-01-01T11:00:00Z" },
    { name: "daily descriptor", spec: "@daily", after: "2026-01-01T10:00:00Z", next: "2026-01-02T00:00:00Z" },
    { name: "weekly is Sunday", spec: "@weekly", after: "2026-01-01T00:00:00Z", next: "2026-01-04T00:00:00Z" },
    { name: "monthly", spec: "@monthly", after: "2026-01-15T00:00:00Z", next: "2026-02-01T00:00:00Z" },
    { name: "yearly", spec: "@yearly", after: "2026-01-15T00:00:00Z", next: "2027-01-01T00:00:00Z" },
    {
      name: "ranges and lists",
      spec: "30 9-17/4 * * mon-fri",
      after: "2026-01-02T18:00:00Z",
      next: "2026-01-05T09:30:00Z",
    },
    {
      name: "day-of-month or day-of-week",
      spec: "0 0 13 * fri",
      after: "2026-02-01T00:00:00Z",
      next: "2026-02-06T00:00:00Z",
    },
    { name: "every duration", spec: "@every 90s", after: "2026-01-01T00:00:00Z", next: "2026-01-01T00:01:30Z" },
    {
      name: "time zone",
      spec: "0 9 * * *",
      zone: "Europe/Paris",
      after: "2026-01-01T00:00:00Z",
      next: "2026-01-01T08:00:00Z",
    },
    {
      name: "CRON_TZ prefix",
      spec: "CRON_TZ=America/New_York 0 0 * * *",
      after: "2026-01-01T00:00:00Z",
      next: "2026-01-01T05:00:00Z",
    },
    { name: "month names", spec: "0 0 1 mar *", after: "2026-01-01T00:00:00Z", next: "2026-03-01T00:00:00Z" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = parseSchedule(c.spec, c.zone);
      expect(result.error).toBeUndefined();
      expect(new Date(result.schedule?.next(at(c.after)) ?? 0).toISOString()).toBe(new Date(at(c.next)).toISOString());
    });
  }

  const invalid = [
    "",
    "* * * *",
    "61 * * * *",
    "* * * * * *",
    "*/0 * * * *",
    "a b c d e",
    "@often",
    "5-1 * * * *",
    "@every x",
  ];
  for (const spec of invalid) {
    it(`rejects ${JSON.stringify(spec)} without throwing`, () => {
      expect(parseSchedule(spec).error).toBeTruthy();
    });
  }

  it("rejects an unknown time zone", () => {
    expect(parseSchedule("* * * * *", "Mars/Olympus").error).toMatch(/unknown time zone/);
  });

  it("skips a DST gap", () => {
    // 02:30 does not exist in Paris on 2026-03-29.
    const result = parseSchedule("30 2 * * *", "Europe/Paris");
    expect(new Date(result.schedule?.next(at("2026-03-28T12:00:00Z")) ?? 0).toISOString()).toBe(
      "2026-03-30T00:30:00.000Z",
    );
  });
});
