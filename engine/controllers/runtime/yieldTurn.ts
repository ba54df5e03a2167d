import type { Clock } from "../../clock/Clock";

/**
 * Gives the rest of the process a turn before continuing: resolves on a zero-delay timer of the
 * cluster's clock. In-process API calls complete without ever yielding, so long bursts of them
 * (a ReplicaSet creating 500 pods) must. Going through the Clock rather than setImmediate keeps
 * the engine free of real timers and, in hosted clusters, puts the continuation in its cluster's
 * turn (host/hosting FairTimers), so one cluster's burst cannot crowd out the others. On the
 * VirtualClock the continuation runs at the next `advance`, at the same virtual time.
 */
export function yieldTurn(clock: Clock): Promise<void> {
  return new Promise<void>((resolve) => {
    clock.setTimer(0, resolve);
  });
}
