/** events.k8s.io/v1 Event: the same stored objects as core/v1 events, in a different shape. */
import type { ObjectReference } from "./core";
import type { KubeObject } from "./types";

export interface EventsV1Event extends KubeObject {
  /** Required, MicroTime (RFC 3339 with microseconds). */
  eventTime: string | null;
  series?: { count: number; lastObservedTime: string };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  related?: ObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}
