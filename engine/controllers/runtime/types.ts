import type { KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import type { Clock } from "../../clock/Clock";

/**
 * What the controllers need from the shared informer framework (engine/client): a read-only cache
 * per resource, and handlers that run on every change. Controllers read only from these caches in
 * `sync`, and write only through the client.
 */
export interface Cache<T extends KubeObject> {
  /** Every cached object, in `namespace` when given. Never mutate the result: clone first. */
  list(namespace?: string): readonly T[];
  get(namespace: string | undefined, name: string): T | undefined;
}

export interface Handlers<T extends KubeObject> {
  add?(object: T): void;
  update?(oldObject: T, newObject: T): void;
  /** Called with the last known state of a deleted object. */
  delete?(object: T): void;
}

export interface Informer<T extends KubeObject> extends Cache<T> {
  addHandlers(handlers: Handlers<T>): void;
}

/** A rate-limited work queue of keys: a key is never processed twice at once. */
export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Re-adds with the per-key exponential back-off (5 ms doubling to 1000 s, as client-go's default). */
  addRateLimited(key: string): void;
  /** Clears the key's back-off history after a successful sync. */
  forget(key: string): void;
}

/** Records events as upstream's EventRecorder does (with dedup and counts). */
export interface Recorder {
  event(object: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

/** Everything one controller receives. */
export interface ControllerContext {
  clock: Clock;
  client: Client;
  log(line: string): void;
  /** Kubelets' lazily computed lease renewals (see engine/cluster/NodeHeartbeats), when the cluster has them. */
  heartbeats?: import("../../cluster/NodeHeartbeats").NodeHeartbeats;
  informer<T extends KubeObject>(gvr: import("../../api/types").GroupVersionResource): Informer<T>;
  /** An event recorder reporting as `component` (e.g. `replicaset-controller`). */
  recorder(component: string): Recorder;
  /**
   * Resolves after the rest of the process had a turn (a zero-delay timer on `clock`): what a
   * long burst of in-process API calls awaits between batches so it never holds the event loop.
   */
  yieldTurn(): Promise<void>;
  /**
   * Starts `workers` (default 1) worker loops over a fresh queue; `sync` returning a rejected
   * promise retries with back-off. The queue never hands one key to two workers at once, so more
   * workers only let different objects proceed side by side (kube-controller-manager's
   * `--concurrent-*-syncs`): a 500-pod burst of one ReplicaSet no longer holds up the others.
   */
  loop(name: string, sync: (key: string) => Promise<void>, options?: { workers?: number }): WorkQueue;
}
