import type { KlogLine } from "./kubeletStartup";

/** One journald record: when, which unit it belongs to, who wrote it (SYSLOG_IDENTIFIER[PID]) and what. */
export interface JournalEntry {
  time: number;
  unit: string;
  identifier: string;
  pid: number;
  text: string;
}

const two = (value: number) => String(value).padStart(2, "0");

/** klog's header: `E0408 22:17:42.463143    6622 run.go:72] `. */
export function klogHeader(time: number, severity: KlogLine["severity"], pid: number, source: string): string {
  const date = new Date(time);
  const micros = `${String(date.getUTCMilliseconds()).padStart(3, "0")}000`;
  return `${severity}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${micros} ${String(pid).padStart(7)} ${source}] `;
}

/**
 * A node's journal of its services (what `journalctl -u kubelet|containerd` reads): systemd's own
 * lines and the services' output. Bounded: the oldest records go first, as journald's rotation.
 */
export class Journal {
  private readonly entries: JournalEntry[] = [];
  private readonly listeners = new Set<(entry: JournalEntry) => void>();

  constructor(private readonly limit = 2_000) {}

  /** systemd[1]'s line about `unit`. */
  systemd(time: number, unit: string, text: string): void {
    this.add({ time, unit, identifier: "systemd", pid: 1, text });
  }

  /** A klog line of the kubelet (or a plain line it writes to stderr). */
  klog(time: number, pid: number, line: KlogLine): void {
    const text = line.plain ? line.message : `${klogHeader(time, line.severity, pid, line.source)}${line.message}`;
    this.add({ time, unit: "kubelet", identifier: "kubelet", pid, text });
  }

  add(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    for (const listener of [...this.listeners]) listener(entry);
  }

  /** The records of `unit` (every unit when undefined), oldest first. */
  read(unit?: string): JournalEntry[] {
    return unit === undefined ? [...this.entries] : this.entries.filter((entry) => entry.unit === unit);
  }

  /** Calls `listener` for each new record (journalctl -f). Returns a disposer. */
  follow(listener: (entry: JournalEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
