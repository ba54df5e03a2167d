import * as k8s from "@kubernetes/client-node";
import type { Exercise } from "../format/schema";
import type { GradingCluster } from "../run/GradingCluster";

/** The resource types an exercise's checks look at (pods for relation and command checks). */
export function watchedKinds(exercise: Exercise): string[] {
  const kinds = new Set<string>();
  for (const check of exercise.checks) {
    if ("kind" in check && check.kind) kinds.add(check.kind);
    if (check.type === "event") kinds.add("events");
    if (["spread", "request", "command", "endpoints"].includes(check.type)) kinds.add("pods");
    if (check.type === "endpoints" || check.type === "request") kinds.add("services");
  }
  return [...kinds];
}

/** How long a watch that failed waits before it starts again: doubling from 1 s up to 30 s. */
export const RETRY_MIN_MS = 1000;
export const RETRY_MAX_MS = 30_000;

/**
 * Calls `onChange` (coalesced to one call per 250 ms burst) whenever an object of a kind the
 * exercise checks changes anywhere in the cluster. Returns a function that stops the watches.
 *
 * `client` gives the grading client to watch with, asked again whenever the watches end: Reset
 * cluster stops the old cluster (its watches end) and may leave the learner with a new client, so
 * the watches start again on the new cluster through the client of the moment, and `onChange` is
 * called once for the state they now see. A watch that fails (the cluster restarting, a replaced
 * token) starts again after a growing pause, never in a tight loop.
 */
export async function watchForChanges(
  client: GradingCluster | (() => Promise<GradingCluster>),
  exercise: Exercise,
  onChange: () => void,
  options: { retryMinMs?: number; retryMaxMs?: number } = {},
): Promise<() => void> {
  const currentClient = typeof client === "function" ? client : async () => client;
  const retryMin = options.retryMinMs ?? RETRY_MIN_MS;
  const retryMax = options.retryMaxMs ?? RETRY_MAX_MS;
  const kinds = watchedKinds(exercise);
  const controllers = new Set<AbortController>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = retryMin;
  // Each start of the watches is one generation; what ends in an older one (aborted by us) is ignored.
  let generation = 0;
  const changed = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, 250);
  };
  const abortAll = () => {
    for (const controller of controllers) controller.abort();
    controllers.clear();
  };
  /** Starts one watch per kind on the client of the moment; false when one failed to start. */
  const startAll = async (mine: number): Promise<boolean> => {
    const cluster = await currentClient();
    const watch = new k8s.Watch(cluster.kubeConfig);
    for (const kind of kinds) {
      if (stopped || mine !== generation) return true;
      let info: Awaited<ReturnType<GradingCluster["resolve"]>>;
      try {
        info = await cluster.resolve(kind);
      } catch (error) {
        // A kind the cluster does not know yet (a CRD to be created): the other watches still drive
        // it. Anything else (refused, unreachable) is a failed start, tried again.
        if (unknownKind(error)) continue;
        return false;
      }
      const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
      let failed = false;
      const controller = await watch.watch(`${base}/${info.resource}`, {}, changed, (error: unknown) => {
        if (mine !== generation) return;
        if (!controllers.has(controller)) {
          failed = true;
          return;
        }
        // Watches end (server timeouts, the cluster reset or hibernated): start again while someone listens.
        restartSoon(Boolean(error));
      });
      if (failed || mine !== generation) {
        controller.abort();
        return !failed;
      }
      controllers.add(controller);
    }
    return true;
  };
  const restartSoon = (failed: boolean) => {
    if (stopped) return;
    // Every watch starts again together on the client of the moment (a Reset ends them all).
    generation++;
    abortAll();
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (!failed) {
      void start(true);
      return;
    }
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, retryMax);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void start(true);
    }, wait);
  };
  const start = async (again: boolean) => {
    if (stopped) return;
    const mine = ++generation;
    let healthy: boolean;
    try {
      healthy = await startAll(mine);
    } catch {
      healthy = false;
    }
    if (stopped || mine !== generation) return;
    if (!healthy) return restartSoon(true);
    retryMs = retryMin;
    // The cluster may be another one now (a Reset): grade what the new watches see.
    if (again) changed();
  };
  await start(false);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(retryTimer);
    abortAll();
  };
}

/** Whether discovery failed because the cluster has no such kind (as kubectl words it). */
function unknownKind(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /doesn't have a resource type|no matches for kind/.test(message);
}
