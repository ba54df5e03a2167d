import type { GroupVersionResource, KubeObject } from "../../api/types";
import { createEventRecorder, type EventRecorder } from "../../client/eventRecorder";
import { SharedInformerFactory } from "../../client/informers";
import { runWorkers, WorkQueue } from "../../client/workQueue";
import type { ComponentContext } from "../../cluster/Component";
import type { ControllerContext, Informer, Recorder } from "./types";
import { yieldTurn } from "./yieldTurn";

/** Keys a worker processes before it yields to the event loop, so a big backlog never blocks it. */
const KEYS_PER_TURN = 64;

/** A ControllerContext plus what the controller manager needs to stop it and to tell when it is idle. */
export interface ControllerRuntime extends ControllerContext {
  stop(): void;
  /** Whether every queue is empty and no sync is running (delayed keys may still be armed). */
  readonly idle: boolean;
  readonly queues: ReadonlyMap<string, WorkQueue>;
}

/**
 * Builds what every controller of one controller manager shares, from engine/client: one
 * SharedInformerFactory (one informer per resource however many controllers read it), a
 * WorkQueue with its worker per controller loop, and an EventRecorder per reporting component.
 */
export function createControllerContext(component: ComponentContext): ControllerRuntime {
  const factory = new SharedInformerFactory(component.client, component.clock);
  factory.start();
  const queues = new Map<string, WorkQueue>();
  const recorders = new Map<string, EventRecorder>();
  let inFlight = 0;
  return {
    clock: component.clock,
    client: component.client,
    log: component.log,
    heartbeats: component.heartbeats,
    yieldTurn: () => yieldTurn(component.clock),
    informer<T extends KubeObject>(gvr: GroupVersionResource): Informer<T> {
      return factory.informer<T>(gvr);
    },
    recorder(name): Recorder {
      let recorder = recorders.get(name);
      if (!recorder) {
        recorder = createEventRecorder(component.client, component.clock, { component: name });
        recorders.set(name, recorder);
      }
      return recorder;
    },
    loop(name, sync, options = {}) {
      const queue = new WorkQueue(component.clock, undefined, name);
      queues.set(name, queue);
      let processed = 0;
      void runWorkers(
        queue,
        async (key) => {
          inFlight++;
          try {
            await sync(key);
          } finally {
            inFlight--;
          }
          if (++processed % KEYS_PER_TURN === 0) await yieldTurn(component.clock);
        },
        {
          workers: options.workers,
          onError: (key, error) =>
            component.log(`${name}: error syncing "${key}": ${error instanceof Error ? error.message : String(error)}`),
        },
      );
      return queue;
    },
    queues,
    get idle() {
      if (inFlight > 0) return false;
      for (const queue of queues.values()) if (queue.length > 0) return false;
      return true;
    },
    stop() {
      for (const queue of queues.values()) queue.shutDown();
      factory.stop();
    },
  };
}
