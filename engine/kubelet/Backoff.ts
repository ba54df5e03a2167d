import type { Clock } from "../clock/Clock";

/**
 * client-go's flowcontrol.Backoff as the kubelet uses it for container restarts and image pulls:
 * 10 s, doubling to 300 s, forgotten after twice the maximum (10 minutes) without a new failure.
 */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = 10_000,
    private readonly maximumMs = 300_000,
  ) {}

  /** Records a failure now and returns the delay that now applies. */
  next(key: string): number {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    if (!entry || now - entry.lastUpdate > 2 * this.maximumMs) {
      this.entries.set(key, { delayMs: this.initialMs, lastUpdate: now });
      return this.initialMs;
    }
    entry.delayMs = Math.min(entry.delayMs * 2, this.maximumMs);
    entry.lastUpdate = now;
    return entry.delayMs;
  }

  /** The current delay for `key` (0 when none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** In back-off since `eventTime` (a container's finish): how long is left, 0 when not. */
  remainingSince(key: string, eventTime: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    const now = this.clock.now();
    if (now - entry.lastUpdate > 2 * this.maximumMs) return 0;
    return Math.max(0, eventTime + entry.delayMs - now);
  }

  /** In back-off since the last failure was recorded (image pulls): how long is left. */
  remainingSinceUpdate(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.lastUpdate + entry.delayMs - this.clock.now());
  }

  /** Sets `key`'s delay as recorded before a restart (a container's CrashLoopBackOff message), failed at `lastUpdate`. */
  restore(key: string, delayMs: number, lastUpdate: number): void {
    this.entries.set(key, { delayMs: Math.min(Math.max(delayMs, this.initialMs), this.maximumMs), lastUpdate });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
