import { ApiError } from "../../apiserver/ApiError";
import { builtinResources } from "../../apiserver/resources";
import type { Clock } from "../../clock/Clock";
import {
  KeyValueStore,
  type KeyValueStoreOptions,
  type TxnRequest,
  type TxnResponse,
  type WatchListener,
  type WatchOptions,
} from "../../store/KeyValueStore";

/** Per-cluster limits. Every refusal names its limit in a Kubernetes-style Status. */
export interface ClusterQuotas {
  /** Objects stored (every kind except Events and Leases, which the system writes on its own). */
  objects: number;
  pods: number;
  nodes: number;
  /** Bytes of objects and retained history in the store (etcd's database size). */
  storeBytes: number;
  /** Open watches over HTTP. */
  watches: number;
  /** Sustained requests per second (a token bucket) … */
  requestsPerSecond: number;
  /** … and the burst above it. */
  requestBurst: number;
}

/** Generous for any lesson, small enough that 1,000 clusters fit one machine. */
export const DEFAULT_QUOTAS: ClusterQuotas = {
  objects: 2000,
  pods: 250,
  nodes: 10,
  storeBytes: 16 * 1024 * 1024,
  watches: 100,
  requestsPerSecond: 50,
  requestBurst: 200,
};

const UNCOUNTED = ["/registry/events/", "/registry/leases/"];

/** Where each built-in resource is kept: `/registry/<storagePrefix>/…` → its group and resource. */
const resourceByPrefix = new Map(
  builtinResources.map((definition) => [
    definition.storagePrefix,
    { group: definition.group, resource: definition.resource },
  ]),
);

/**
 * The group, resource and name of the object stored at `key`
 * (`/registry/<prefix>/[<namespace>/]<name>`).
 */
function objectOf(key: string): { group: string; resource: string; name: string | undefined } {
  const [prefix = "objects", ...rest] = key.slice("/registry/".length).split("/");
  const known = resourceByPrefix.get(prefix) ?? { group: "", resource: prefix === "minions" ? "nodes" : prefix };
  return { ...known, name: rest[rest.length - 1] || undefined };
}

/**
 * A refusal worded as upstream's ResourceQuota admission words it: the object being created is
 * named, with its resource's group, as `admission.NewForbidden` names it (`pods
 * "web-7d4b9c8f5-x2x9k" is forbidden: exceeded quota: kubelab-cluster-quota, requested: pods=1,
 * used: pods=250, limited: pods=250`). The ReplicaSet controller puts that text in its FailedCreate
 * event and ReplicaFailure condition, as upstream's does.
 */
function exceeded(key: string, quantity: string, requested: number, used: number, limit: number): ApiError {
  const { group, resource, name } = objectOf(key);
  return ApiError.forbidden(
    group,
    resource,
    name,
    `exceeded quota: kubelab-cluster-quota, requested: ${quantity}=${requested}, used: ${quantity}=${used}, limited: ${quantity}=${limit}`,
  );
}

/**
 * The cluster's store with the quota enforced on every write, whoever makes it (kubectl over
 * HTTP, or a controller scaling a Deployment in-process), the way etcd's quota backs the
 * apiserver's ResourceQuota admission: a create that would pass a limit is refused with a 403.
 */
export class QuotaStore extends KeyValueStore {
  private pods = 0;
  private nodes = 0;
  private objects = 0;

  private deferred: Array<() => void> = [];
  private flushArmed = false;

  /**
   * With `deliveryClock`, changes reach watchers on the next turn of that clock instead of inside
   * the write (see {@link watch}).
   */
  constructor(
    private readonly quotas: () => ClusterQuotas,
    private readonly deliveryClock?: Clock,
    // A small history window by default: a hosted cluster's watchers are in-process or re-list after
    // a restore, and the history is most of a snapshot's bytes (and of the time to take it).
    history: KeyValueStoreOptions = { historyBytesLimit: 256 * 1024, minimumHistory: 20 },
  ) {
    super(history);
  }

  /**
   * Watches as the store does, except that with a delivery clock each change is delivered on the
   * clock's next turn, in order, rather than inside the write: a request that writes gets its
   * answer first, and what the write sets off in the cluster's controllers and kubelets (the
   * informers' work) runs in later turns, taking turns with the other clusters (FairTimers), as an
   * informer's watch is asynchronous upstream. Events replayed from history when the watch starts
   * are still delivered inside this call.
   */
  override watch(key: string, options: WatchOptions, listener: WatchListener): () => void {
    const clock = this.deliveryClock;
    if (!clock) return super.watch(key, options, listener);
    let open = true;
    let starting = true;
    const stop = super.watch(key, options, (events) => {
      if (starting) listener(events);
      else this.defer(clock, () => open && listener(events));
    });
    starting = false;
    return () => {
      open = false;
      stop();
    };
  }

  /**
   * Watches with delivery inside the write, as the plain store does (the host's own bookkeeping:
   * a change must mark the cluster unsaved before anything can save or hibernate it).
   */
  watchInWrite(key: string, options: WatchOptions, listener: WatchListener): () => void {
    return super.watch(key, options, listener);
  }

  private defer(clock: Clock, deliver: () => void): void {
    this.deferred.push(deliver);
    if (this.flushArmed) return;
    this.flushArmed = true;
    clock.setTimer(0, () => {
      this.flushArmed = false;
      // Writes made by these listeners are delivered on a later turn.
      const batch = this.deferred;
      this.deferred = [];
      for (const next of batch) {
        try {
          next();
        } catch {
          // One broken watcher must not stop the others (as the store's own delivery).
        }
      }
    });
  }

  /** Counts kept alongside writes, recomputed after a restore. */
  recount(): void {
    this.pods = this.range("/registry/pods/", { prefix: true, countOnly: true }).count;
    this.nodes = this.range("/registry/minions/", { prefix: true, countOnly: true }).count;
    let uncounted = 0;
    for (const prefix of UNCOUNTED) uncounted += this.range(prefix, { prefix: true, countOnly: true }).count;
    this.objects = this.keyCount - uncounted;
  }

  override restore(bytes: Uint8Array): void {
    super.restore(bytes);
    this.recount();
  }

  /**
   * Applies a journaled transaction as it was made (it passed the quotas then); the caller
   * recounts once the journal is replayed. Answers the revision it got.
   */
  replay(request: TxnRequest): number {
    return super.txn(request).revision;
  }

  /** Current usage, for cluster info. */
  usage(): { objects: number; pods: number; nodes: number; storeBytes: number } {
    return { objects: this.objects, pods: this.pods, nodes: this.nodes, storeBytes: this.sizeBytes };
  }

  override txn(request: TxnRequest): TxnResponse {
    const limits = this.quotas();
    const created: string[] = [];
    let growth = 0;
    for (const op of request.success.concat(request.failure ?? [])) {
      if (op.type !== "put") continue;
      const existing = this.get(op.key);
      growth += op.value.length - (existing?.value.length ?? 0);
      if (!existing) created.push(op.key);
    }
    if (created.length > 0 || growth > 0) {
      for (const key of created) {
        if (key.startsWith("/registry/pods/") && this.pods >= limits.pods)
          throw exceeded(key, "pods", 1, this.pods, limits.pods);
        if (key.startsWith("/registry/minions/") && this.nodes >= limits.nodes)
          throw exceeded(key, "nodes", 1, this.nodes, limits.nodes);
        if (!UNCOUNTED.some((prefix) => key.startsWith(prefix)) && this.objects >= limits.objects)
          throw exceeded(key, "count/objects", 1, this.objects, limits.objects);
      }
      // Status writes of system components must go on even near the limit (or nothing could be
      // deleted cleanly): only creates and growing writes of learner-visible objects are refused.
      const visible = request.success.some(
        (op) => op.type === "put" && !UNCOUNTED.some((prefix) => op.key.startsWith(prefix)),
      );
      if (visible && created.length > 0 && this.sizeBytes + growth > limits.storeBytes) {
        throw exceeded(created[0], "storage-bytes", growth, this.sizeBytes, limits.storeBytes);
      }
    }
    const response = super.txn(request);
    for (const result of response.results) {
      if (result.type === "put" && !result.prevKv) this.count(result.kv.key, 1);
      else if (result.type === "delete") for (const kv of result.deleted) this.count(kv.key, -1);
    }
    return response;
  }

  private count(key: string, delta: number): void {
    if (key.startsWith("/registry/pods/")) this.pods += delta;
    else if (key.startsWith("/registry/minions/")) this.nodes += delta;
    if (!UNCOUNTED.some((prefix) => key.startsWith(prefix))) this.objects += delta;
  }
}

/**
 * A token bucket for a cluster's request rate, refilled from the clock when asked (no timer).
 * `take` answers how many seconds to wait when empty.
 */
export class RequestRateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limits: () => ClusterQuotas,
    now: number,
  ) {
    this.tokens = limits().requestBurst;
    this.updatedAt = now;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until one is available (Retry-After). */
  take(now: number): number {
    const { requestsPerSecond, requestBurst } = this.limits();
    this.tokens = Math.min(requestBurst, this.tokens + ((now - this.updatedAt) / 1000) * requestsPerSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / requestsPerSecond));
  }
}
