import { describe, expect, it } from "vitest";
import { exitStatus, JobTable, parseSignal, TooManyJobs } from "./jobs";

/** A job that runs until its signal aborts it (status 130) or `end(status)` is called. */
function controllable() {
  let end: (status: number) => void = () => undefined;
  const run = (signal: AbortSignal) =>
    new Promise<number>((resolve) => {
      end = resolve;
      signal.addEventListener("abort", () => resolve(130), { once: true });
    });
  return { run, end: (status: number) => end(status) };
}

function table(limit?: number) {
  let pid = 100;
  return new JobTable(() => ++pid, limit);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("JobTable", () => {
  it("numbers jobs one past the highest in the table and marks the current and previous", async () => {
    const jobs = table();
    const [a, b, c] = [controllable(), controllable(), controllable()];
    jobs.start("sleep 30", a.run);
    jobs.start("sleep 20", b.run);
    jobs.start("sleep 21", c.run);
    await settle();
    // bash 5.2's `jobs` for the same three.
    expect(
      jobs
        .list()
        .map((job) => jobs.format(job))
        .join(""),
    ).toBe(
      [
        "[1]   Running                 sleep 30 &\n",
        "[2]-  Running                 sleep 20 &\n",
        "[3]+  Running                 sleep 21 &\n",
      ].join(""),
    );
    expect(jobs.format(jobs.list()[0] as never, { long: true })).toBe(
      "[1]    101 Running                 sleep 30 &\n",
    );
  });

  it("reports finished jobs once, with bash's status words, and hands marks on", async () => {
    const jobs = table();
    const [a, b, c] = [controllable(), controllable(), controllable()];
    const first = jobs.start("sleep 30", a.run);
    jobs.start("false", b.run);
    jobs.start("sleep 32", c.run);
    await settle();
    jobs.kill(first, "TERM");
    b.end(1);
    await settle();
    expect(jobs.takeNotices()).toBe(
      ["[1]   Terminated              sleep 30\n", "[2]-  Exit 1                  false\n"].join(""),
    );
    expect(jobs.takeNotices()).toBe("");
    c.end(0);
    await settle();
    expect(jobs.takeNotices()).toBe("[3]+  Done                    sleep 32\n");
    // An empty table numbers from 1 again.
    expect(jobs.start("sleep 1", controllable().run).number).toBe(1);
  });

  it("gives a new job's previous mark only to a job still running", async () => {
    const jobs = table();
    const a = controllable();
    jobs.start("sleep 0.5", a.run);
    await settle();
    a.end(0);
    await settle();
    jobs.start("sleep 40", controllable().run);
    // bash: `[1]   Done                    sleep 0.5` (no `-`).
    expect(jobs.takeNotices()).toBe("[1]   Done                    sleep 0.5\n");
  });

  it.each([
    { name: "current", spec: undefined, expected: 3 },
    { name: "%%", spec: "%%", expected: 3 },
    { name: "%+", spec: "%+", expected: 3 },
    { name: "%-", spec: "%-", expected: 2 },
    { name: "number", spec: "%1", expected: 1 },
    { name: "prefix", spec: "%sle", expected: 1 },
    { name: "ambiguous prefix", spec: "%kubectl", expected: ["kubectl: ambiguous job spec", "%kubectl: no such job"] },
    { name: "substring", spec: "%?8080", expected: 3 },
    { name: "unknown", spec: "%9", expected: ["%9: no such job"] },
    { name: "ambiguous", spec: "%?port", expected: ["port: ambiguous job spec", "%?port: no such job"] },
    { name: "bare number without bare", spec: "1", expected: ["1: no such job"] },
  ])("finds job specs: $name", async ({ spec, expected }) => {
    const jobs = table();
    jobs.start("sleep 30", controllable().run);
    jobs.start("kubectl port-forward svc/web 8081:80", controllable().run);
    jobs.start("kubectl port-forward pod/web 8080:80", controllable().run);
    const found = jobs.find(spec);
    expect("errors" in found ? found.errors : found.number).toEqual(expected);
  });

  it("says `current: no such job` when there is none, and finds bare numbers for fg/bg", () => {
    const jobs = table();
    expect(jobs.find(undefined)).toEqual({ errors: ["current: no such job"] });
    jobs.start("sleep 30", controllable().run);
    expect(jobs.find("1", true)).toMatchObject({ number: 1 });
  });

  it("refuses a job past its limit", () => {
    const jobs = table(2);
    jobs.start("sleep 1", controllable().run);
    jobs.start("sleep 2", controllable().run);
    expect(() => jobs.start("sleep 3", controllable().run)).toThrow(TooManyJobs);
  });

  it("gives a killed job 128 + the signal as its status", async () => {
    const jobs = table();
    const job = jobs.start("sleep 30", controllable().run);
    jobs.kill(job, "KILL");
    await job.ended;
    expect(job.state).toEqual({ kind: "signalled", signal: "KILL" });
    expect(exitStatus(job.state)).toBe(137);
    expect(jobs.format(job)).toBe("[1]+  Killed                  sleep 30\n");
  });

  it.each([
    ["-9", "KILL"],
    ["-KILL", "KILL"],
    ["SIGTERM", "TERM"],
    ["int", "INT"],
    ["15", "TERM"],
    ["-FOO", undefined],
  ])("reads the signal %s", (text, expected) => {
    expect(parseSignal(text)).toBe(expected);
  });
});
