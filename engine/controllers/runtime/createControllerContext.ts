import type { GroupVersionResource, KubeObject } from "../../api/types";
import type { ComponentContext } from "../../cluster/Component";
import { EventRecorder } from "./EventRecorder";
import { InformerCache } from "./InformerCache";
import type { ControllerContext, Informer } from "./types";
import { ControllerQueue } from "./WorkQueue";

/** A ControllerContext plus what the controller manager needs to stop it and to tell when it is idle. */
export interface ControllerRuntime extends ControllerContext {
  stop(): void;
  /** Whether every queue is empty and nothing is running (delayed keys may still be armed). */
  readonly idle: boolean;
  readonly queues: ReadonlyMap<string, ControllerQueue>;
}

/**
 * Builds the shared informers, queues and event recorder every controller of one controller
 * manager uses: one informer per resource however many controllers read it, as
 * SharedInformerFactory does.
 */
export function createControllerContext(component: ComponentContext): ControllerRuntime {
  const informers = new Map<string, InformerCache<KubeObject>>();
  const queues = new Map<string, ControllerQueue>();
  const events = new EventRecorder(component.client, component.clock, component.log);
  return {
    clock: component.clock,
    client: component.client,
    log: component.log,
    informer<T extends KubeObject>(gvr: GroupVersionResource): Informer<T> {
      const id = `${gvr.group}/${gvr.version}/${gvr.resource}`;
      let informer = informers.get(id);
      if (!informer) {
        informer = new InformerCache<KubeObject>(component.client, component.clock, gvr, component.log);
        informers.set(id, informer);
      }
      return informer as unknown as Informer<T>;
    },
    recorder: (name) => events.forComponent(name),
    loop(name, sync) {
      const queue = new ControllerQueue(name, component.clock, sync, component.log);
      queues.set(name, queue);
      return queue;
    },
    queues,
    get idle() {
      for (const queue of queues.values()) if (queue.busy) return false;
      return true;
    },
    stop() {
      for (const queue of queues.values()) queue.stop();
      for (const informer of informers.values()) informer.stop();
    },
  };
}
