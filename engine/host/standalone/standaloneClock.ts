import type { Clock } from "../../clock/Clock";
import { FairTimers } from "../hosting/FairTimers";

/**
 * The standalone cluster's clock: wall time, with its timers run one per turn of the event loop
 * (host/hosting FairTimers with a single cluster). On the plain RealClock every timer due at once
 * runs in one timers phase: during a large scale-up the ReplicaSet controller's next chunk of
 * creates, the scheduler's next batch and dozens of kubelet timers came due together and made
 * turns of 100–300 ms in which no request was read. One at a time, the process reads its sockets
 * between any two of them, so a kubectl request waits for at most one component's bounded step.
 */
export function standaloneClock(log: (line: string) => void = () => {}): Clock {
  const timers = new FairTimers((_cluster, error) =>
    log(`a timer of the cluster failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  );
  return timers.clockFor("standalone");
}
