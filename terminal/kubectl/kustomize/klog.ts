import type { KubectlIO } from "../KubectlIO";

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/**
 * The line kubectl's main logs for a command's returned error (component-base cli.Run):
 * `E1201 23:52:53.944697    7997 run.go:72] "command failed" err="…"`, the value quoted as klog
 * quotes it, or written as an indented block when it spans lines. Without a process id (the
 * learner's shell) the line names 1.
 */
export function klogErrorLine(io: Pick<KubectlIO, "now" | "pid">, message: string): string {
  const time = io.now?.() ?? new Date();
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  const header = `E${pad(time.getMonth() + 1)}${pad(time.getDate())} ${clock}.${pad(time.getMilliseconds() * 1000, 6)} ${String(io.pid ?? 1).padStart(7)} run.go:72] "command failed" err=`;
  if (!message.includes("\n")) return `${header}${JSON.stringify(message)}\n`;
  const lines = message.replace(/\n$/, "").split("\n");
  return `${header}<\n${lines.map((line) => `\t${line}\n`).join("")} >\n`;
}
