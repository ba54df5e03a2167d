import { describe, expect, it } from "vitest";
import type { Clock } from "../../clock/Clock";
import { VirtualClock } from "../../clock/VirtualClock";
import { buildClusterTemplate } from "./clusterTemplate";
import { DEFAULT_QUOTAS, QuotaStore } from "./quotas";

/** A clock that counts the timers armed on it. */
function counting(clock: VirtualClock): { clock: Clock; armed: () => number } {
  let armed = 0;
  return {
    clock: {
      now: () => clock.now(),
      setTimer: (delayMs, callback) => {
        armed++;
        return clock.setTimer(delayMs, callback);
      },
    },
    armed: () => armed,
  };
}

describe("buildClusterTemplate", () => {
  it("settles on the store's changes, without polling: quiet for 300 ms, then done", async () => {
    const virtual = new VirtualClock(Date.UTC(2026, 10, 30));
    const { clock, armed } = counting(virtual);
    const store = new QuotaStore(() => DEFAULT_QUOTAS);
    let built = false;
    const building = buildClusterTemplate({ clock, store, speed: "fast", components: [] }).then((snapshot) => {
      built = true;
      return snapshot;
    });
    await virtual.advance(0);
    const before = armed();
    // Writes keep it from settling; each one costs no timer.
    for (let index = 0; index < 20; index++) {
      store.put(`/registry/configmaps/default/c${index}`, "{}");
      await virtual.advance(100);
    }
    expect(built).toBe(false);
    expect(armed() - before).toBeLessThanOrEqual(10);
    // The last write was 100 ms ago: quiet for 300 ms once 200 more have passed.
    await virtual.advance(199);
    expect(built).toBe(false);
    await virtual.advance(1);
    const snapshot = await building;
    expect(built).toBe(true);
    expect(snapshot.store.byteLength).toBeGreaterThan(0);
    expect(virtual.pendingTimers).toBe(0);
  });

  it("waits for pods to be Ready, up to 3 s of quiet, without a timer per 100 ms", async () => {
    const virtual = new VirtualClock(Date.UTC(2026, 10, 30));
    const { clock, armed } = counting(virtual);
    const store = new QuotaStore(() => DEFAULT_QUOTAS);
    store.put(
      "/registry/pods/kube-system/stuck",
      JSON.stringify({ metadata: { name: "stuck" }, status: { phase: "Pending" } }),
    );
    let built = false;
    const building = buildClusterTemplate({ clock, store, speed: "fast", components: [] }).then(() => {
      built = true;
    });
    await virtual.advance(0);
    const before = armed();
    await virtual.advance(2_000);
    expect(built).toBe(false);
    // The pod becomes Ready: 300 ms of quiet later it is done.
    store.put(
      "/registry/pods/kube-system/stuck",
      JSON.stringify({
        metadata: { name: "stuck" },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
      }),
    );
    await virtual.advance(299);
    expect(built).toBe(false);
    await virtual.advance(1);
    await building;
    expect(built).toBe(true);
    expect(armed() - before).toBeLessThanOrEqual(3);
  });
});
