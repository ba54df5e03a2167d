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

/**
 * Calls `onChange` (coalesced to one call per 250 ms burst) whenever an object of a kind the
 * exercise checks changes anywhere in the cluster. Returns a function that stops the watches.
 */
export async function watchForChanges(
  cluster: GradingCluster,
  exercise: Exercise,
  onChange: () => void,
): Promise<() => void> {
  const watch = new k8s.Watch(cluster.kubeConfig);
  const controllers: AbortController[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, 250);
  };
  for (const kind of watchedKinds(exercise)) {
    try {
      const info = await cluster.resolve(kind);
      const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
      const start = async () => {
        if (stopped) return;
        const controller = await watch.watch(`${base}/${info.resource}`, {}, changed, () => {
          // Watches end (server timeouts); start again while someone is listening.
          if (!stopped) void start().catch(() => undefined);
        });
        controllers.push(controller);
      };
      await start();
    } catch {
      // A kind the cluster does not know yet (a CRD to be created): the other watches still drive it.
    }
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
    for (const controller of controllers) controller.abort();
  };
}
