/**
 * controller.ControllerExpectations / UIDTrackingControllerExpectations: what a controller is
 * waiting to observe through its informers after it created or deleted pods, so that a sync that
 * runs before the cache caught up does not create or delete twice. Expectations expire after five
 * minutes (upstream ExpectationsTimeout) in case a watch event was lost.
 */
export class Expectations {
  private readonly entries = new Map<string, { adds: number; deletes: Set<string>; timestamp: number }>();

  constructor(
    private readonly now: () => number,
    private readonly timeoutMs = 5 * 60_000,
  ) {}

  /** Whether the controller may act on `key`: nothing outstanding, or the expectations expired. */
  satisfied(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return true;
    if (entry.adds <= 0 && entry.deletes.size === 0) return true;
    return this.now() - entry.timestamp > this.timeoutMs;
  }

  expectCreations(key: string, count: number): void {
    this.entries.set(key, { adds: count, deletes: new Set(), timestamp: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.entries.set(key, { adds: 0, deletes: new Set(podKeys), timestamp: this.now() });
  }

  creationObserved(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.entries.get(key)?.deletes.delete(podKey);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
