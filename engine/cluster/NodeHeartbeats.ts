/**
 * The kubelets' lease heartbeats, computed lazily. A kubelet renews its Lease every 10 s; in one
 * process a kubelet only stops renewing when it is stopped, so instead of 18 Lease writes a minute
 * in an idle 3-node cluster, each kubelet records when it began renewing (and when it stopped),
 * and the node lifecycle controller asks for the latest renewal when it needs one. The renewal
 * times are the ones the kubelet's 10 s ticker would have produced.
 */
export class NodeHeartbeats {
  private readonly nodes = new Map<string, { since: number; intervalMs: number; stoppedAt?: number }>();
  private readonly listeners = new Set<(nodeName: string) => void>();

  /** The kubelet of `nodeName` renewed at `since` and keeps renewing every `intervalMs`. */
  renewing(nodeName: string, since: number, intervalMs: number): void {
    this.nodes.set(nodeName, { since, intervalMs });
    this.notify(nodeName);
  }

  /** The kubelet stopped at `at`: its renewals end with the last tick before that. */
  stopped(nodeName: string, at: number): void {
    const entry = this.nodes.get(nodeName);
    if (!entry || entry.stoppedAt !== undefined) return;
    entry.stoppedAt = at;
    this.notify(nodeName);
  }

  /** Is the kubelet of `nodeName` renewing now (so its lease cannot expire while it does)? */
  isRenewing(nodeName: string): boolean {
    const entry = this.nodes.get(nodeName);
    return entry !== undefined && entry.stoppedAt === undefined;
  }

  /** The time of the latest renewal at or before `now`, or undefined if the node's kubelet never reported. */
  lastRenewal(nodeName: string, now: number): number | undefined {
    const entry = this.nodes.get(nodeName);
    if (!entry) return undefined;
    const until = Math.min(now, entry.stoppedAt ?? now);
    if (until < entry.since) return entry.since;
    return entry.since + Math.floor((until - entry.since) / entry.intervalMs) * entry.intervalMs;
  }

  /** Calls `listener(nodeName)` when a kubelet starts or stops renewing. Returns a disposer. */
  onChange(listener: (nodeName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(nodeName: string): void {
    for (const listener of [...this.listeners]) listener(nodeName);
  }
}
