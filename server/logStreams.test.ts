import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

/**
 * A child that logs the way the server does (a line every 20 ms once told to start), with an
 * uncaught-exception handler that logs as Next's does, and answers pings over IPC.
 */
const child = (guard: boolean) => `
  ${guard ? `const { keepServingWhenOutputCloses } = await import(${JSON.stringify(path.join(root, "server", "logStreams.ts"))}); keepServingWhenOutputCloses();` : ""}
  process.on("uncaughtException", (error) => console.error("uncaughtException: ", error));
  console.log("ready");
  process.on("message", (message) => {
    if (message === "start") setInterval(() => console.log("a request was served"), 20);
    else process.send("pong");
  });
`;

/** A process's CPU time so far (utime + stime from /proc), in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The child's CPU time over 500 ms of logging after its output pipes were closed, and whether it then still answers. */
async function afterOutputCloses(guard: boolean): Promise<{ cpuMs: number; answers: boolean }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", child(guard)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  try {
    const { stdout, stderr } = proc;
    if (!stdout || !stderr) throw new Error("the child has no output pipes");
    await once(stdout, "data");
    stdout.destroy();
    stderr.destroy();
    proc.send("start");
    const before = cpuMs(proc.pid as number);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const used = cpuMs(proc.pid as number) - before;
    const answered = once(proc, "message").then(() => true);
    proc.send("ping");
    const answers = await Promise.race([
      answered,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000)),
    ]);
    return { cpuMs: used, answers };
  } finally {
    proc.kill("SIGKILL");
  }
}

describe("keepServingWhenOutputCloses", () => {
  it("drops output the closed pipe cannot take instead of logging the failure to it without end", async () => {
    // Without the guard every write's EPIPE is logged, to the closed pipe, by the uncaught-exception
    // handler: the process spins. With it, occasional logging costs next to nothing.
    const unguarded = await afterOutputCloses(false);
    expect(unguarded.cpuMs).toBeGreaterThan(200);
    const guarded = await afterOutputCloses(true);
    expect(guarded.cpuMs).toBeLessThan(100);
    expect(guarded.answers).toBe(true);
  }, 30_000);
});
