import * as k8s from "@kubernetes/client-node";
import { RBAC_KINDS } from "../checks/access";
import type { Exercise } from "../format/schema";
import type { GradingCluster } from "../run/GradingCluster";

/** A resource type a check looks at, as the lesson names it (apiVersion only for ambiguous custom kinds). */
export interface WatchedKind {
  kind: string;
  apiVersion?: string;
}

/** The key a watched kind is known by in change notifications: `kind` or `kind@apiVersion`. */
export function kindKey(kind: WatchedKind): string {
  return kind.apiVersion ? `${kind.kind}@${kind.apiVersion}` : kind.kind;
}

/** The resource types an exercise's checks look at (pods for relation and command checks, RBAC for access checks). */
export function watchedKinds(exercise: Exercise): WatchedKind[] {
  const kinds = new Map<string, WatchedKind>();
  const add = (kind: WatchedKind) => kinds.set(kindKey(kind), kind);
  for (const check of exercise.checks) {
    if ("kind" in check && check.kind) {
      add(
        "apiVersion" in check && check.apiVersion
          ? { kind: check.kind, apiVersion: check.apiVersion }
          : { kind: check.kind },
      );
    }
    if (check.type === "event") add({ kind: "events" });
    if (["spread", "request", "command", "endpoints"].includes(check.type)) add({ kind: "pods" });
    if (check.type === "endpoints" || check.type === "request") add({ kind: "services" });
    if (check.type === "access") for (const kind of RBAC_KINDS) add({ kind });
  }
  return [...kinds.values()];
}

/** How long a watch that failed waits before it starts again: doubling from 1 s up to 30 s. */
export const RETRY_MIN_MS = 1000;
export const RETRY_MAX_MS = 30_000;
/** Changes arriving within this long of the first are reported together. */
export const COALESCE_MS = 250;

/** Where a cluster announces new kinds: a kind a check names may come with a CRD created later. */
const CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

/**
 * What changed: the keys (see `kindKey`) of the kinds whose objects changed, or `undefined` when
 * everything must be looked at again (the watches started again, perhaps on another cluster).
 */
export type Changed = ReadonlySet<string> | undefined;

/**
 * Watches every given kind anywhere in the cluster with one watch per resource type (kinds that
 * name the same resource, `Pod` and `pods`, share it) and calls `onChange` with what changed,
 * coalesced to one call per 250 ms burst. Returns a function that stops the watches.
 *
 * `client` gives the grading client to watch with, asked again whenever the watches end: Reset
 * cluster stops the old cluster (its watches end) and may leave the learner with a new client, so
 * the watches start again on the new cluster through the client of the moment, and `onChange` is
 * called once with `undefined` (look at everything). A watch that fails (the cluster restarting, a
 * replaced token) starts again after a growing pause, never in a tight loop.
 *
 * A kind the cluster does not serve yet (a custom resource whose CRD the learner creates later) is
 * not watched; while there is one, CustomResourceDefinitions are watched instead, and when one of
 * them changes, discovery is asked again: once the kind resolves, every watch starts again with it.
 */
export async function watchForChanges(
  client: GradingCluster | (() => Promise<GradingCluster>),
  kinds: readonly WatchedKind[],
  onChange: (changed: Changed) => void,
  options: { retryMinMs?: number; retryMaxMs?: number; coalesceMs?: number } = {},
): Promise<() => void> {
  const currentClient = typeof client === "function" ? client : async () => client;
  const retryMin = options.retryMinMs ?? RETRY_MIN_MS;
  const retryMax = options.retryMaxMs ?? RETRY_MAX_MS;
  const coalesceMs = options.coalesceMs ?? COALESCE_MS;
  const controllers = new Set<AbortController>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pending: Set<string> | undefined = new Set();
  let crdTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = retryMin;
  // Each start of the watches is one generation; what ends in an older one (aborted by us) is ignored.
  let generation = 0;
  const changed = (keys: readonly string[] | undefined) => {
    if (stopped) return;
    if (!keys) pending = undefined;
    else if (pending) for (const key of keys) pending.add(key);
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      const what = pending;
      pending = new Set();
      onChange(what);
    }, coalesceMs);
  };
  const abortAll = () => {
    for (const controller of controllers) controller.abort();
    controllers.clear();
    clearTimeout(crdTimer);
    crdTimer = undefined;
  };
  /**
   * Starts one watch at `path` for this generation. Resolves false when it failed to start; a watch
   * that ends later starts every watch again.
   */
  const startWatch = async (watch: k8s.Watch, path: string, mine: number, onEvent: () => void): Promise<boolean> => {
    // `done` runs before watch() returns when the watch fails to start (refused, 404): no restart then.
    const start = { kept: false, failed: false };
    const controller = await watch.watch(path, {}, onEvent, (error: unknown) => {
      if (mine !== generation) return;
      if (!start.kept) {
        start.failed = true;
        return;
      }
      // Watches end (server timeouts, the cluster reset or hibernated): start again while someone listens.
      restartSoon(Boolean(error));
    });
    if (start.failed || mine !== generation) controller.abort();
    else {
      start.kept = true;
      controllers.add(controller);
    }
    return !start.failed;
  };
  /** Starts the watches on the client of the moment; false when one failed to start. */
  const startAll = async (mine: number): Promise<boolean> => {
    const cluster = await currentClient();
    const watch = new k8s.Watch(cluster.kubeConfig);
    // Resource path → the keys of the kinds it serves.
    const paths = new Map<string, string[]>();
    const unknown: WatchedKind[] = [];
    for (const kind of kinds) {
      if (stopped || mine !== generation) return true;
      let path: string;
      try {
        path = await resolvePath(cluster, kind);
      } catch (error) {
        // Anything but an unknown kind (refused, unreachable) is a failed start, tried again.
        if (!unknownKind(error)) return false;
        unknown.push(kind);
        continue;
      }
      paths.set(path, [...(paths.get(path) ?? []), kindKey(kind)]);
    }
    for (const [path, keys] of paths) {
      if (stopped || mine !== generation) return true;
      if (!(await startWatch(watch, path, mine, () => changed(keys)))) return false;
    }
    if (unknown.length > 0 && !stopped && mine === generation) {
      const crdsChanged = () => {
        if (crdTimer || stopped || mine !== generation) return;
        crdTimer = setTimeout(() => {
          crdTimer = undefined;
          void lookAgain(cluster, unknown, mine);
        }, coalesceMs);
      };
      // A cluster that serves no CRDs or does not let the grader watch them: the unknown kinds stay
      // unwatched until the watches start again for another reason.
      await startWatch(watch, CRDS_PATH, mine, crdsChanged);
    }
    return true;
  };
  /** After a CRD changed: starts every watch again once one of the unknown kinds resolves. */
  const lookAgain = async (cluster: GradingCluster, unknown: WatchedKind[], mine: number) => {
    // Discovery reloads itself on a miss (terminal/kubectl/Discovery), so an unknown kind is asked fresh.
    for (const kind of unknown) {
      if (stopped || mine !== generation) return;
      try {
        await resolvePath(cluster, kind);
      } catch (error) {
        if (unknownKind(error)) continue;
        return restartSoon(true);
      }
      return restartSoon(false);
    }
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
    // The cluster may be another one now (a Reset), or serve a kind it did not: look at everything.
    if (again) changed(undefined);
  };
  await start(false);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(retryTimer);
    abortAll();
  };
}

/** The cluster-wide collection path of a kind, by discovery (throws when the cluster does not serve it). */
async function resolvePath(cluster: GradingCluster, kind: WatchedKind): Promise<string> {
  const info = await cluster.resolve(kind.kind, kind.apiVersion);
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return `${base}/${info.resource}`;
}

/** Whether discovery failed because the cluster has no such kind (as kubectl words it). */
function unknownKind(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /doesn't have a resource type|no matches for kind/.test(message);
}
