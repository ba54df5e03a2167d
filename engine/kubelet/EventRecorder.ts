import type { KubeObject } from "../api/types";
import type { Client } from "../client/Client";
import { createEventRecorder, type EventRecorder as SharedRecorder } from "../client/eventRecorder";
import type { Clock } from "../clock/Clock";

/**
 * The kubelet's event recorder: engine/client's shared recorder (client-go's EventCorrelator:
 * dedup with counts, aggregation of similar events, the spam filter) with source `kubelet` on the
 * node and reportingInstance the node's name.
 */
export class EventRecorder {
  private readonly recorder: SharedRecorder;

  constructor(client: Client, clock: Clock, host: string, log: (line: string) => void) {
    this.recorder = createEventRecorder(client, clock, { component: "kubelet", host }, { log });
  }

  record(object: KubeObject, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void {
    this.recorder.event(object, type, reason, message, fieldPath);
  }

  /** Drops the correlation state of a pod that is gone. */
  forget(uid: string): void {
    this.recorder.forget(uid);
  }
}
