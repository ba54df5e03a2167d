import type { ObjectReference } from "../api/core";
import type { GroupVersionResource, KubeObject } from "../api/types";
import { isNotFound } from "../apiserver/ApiError";
import { type Clock, toRfc3339Micro } from "../clock/Clock";
import type { Client } from "./Client";
import { digest, type EventType, eventName, eventReference } from "./eventRecorder";

/** events.k8s.io/v1 events (the same stored objects as core/v1 events, in the newer shape). */
const EventsV1: GroupVersionResource = { group: "events.k8s.io", version: "v1", resource: "events" };

/** client-go tools/events/event_broadcaster.go. */
export const SERIES_DEFAULTS = {
  /** finishTime: a series quiet this long is written with its final count and forgotten (so is a single event). */
  finishMs: 6 * 60_000,
  /** refreshTime: an open series is written again this often. */
  refreshMs: 30 * 60_000,
};

export type SeriesOptions = typeof SERIES_DEFAULTS;

/** Records events.k8s.io/v1 Events as client-go's tools/events broadcaster and recorder do. */
export interface SeriesEventRecorder {
  /** `Eventf(regarding, related, type, reason, action, note)`. */
  event(
    regarding: KubeObject,
    type: EventType,
    reason: string,
    action: string,
    note: string,
    related?: KubeObject,
  ): void;
  /** Events open in the cache (single events and series), for tests. */
  readonly cached: number;
  /** Resolves once every write queued so far has been attempted (for tests). */
  flush(): Promise<void>;
  /** Cancels the timer (the broadcaster's Shutdown); the cache is dropped. */
  stop(): void;
}

/** A single event in the cache: what its series needs if it repeats (the rest comes with the repeat). */
interface Single {
  /** When it was recorded (ms): its eventTime and, with `sequence`, its name. */
  time: number;
  sequence: number;
  note: string;
}

/** An event that repeated: the whole Event as first written, its count and times. */
interface Series {
  event: KubeObject & { metadata: { name: string; namespace: string } };
  count: number;
  lastObserved: number;
  /** When the series was last written (ms). */
  written: number;
}

/** events.k8s.io references leave out what the object lacks (no "" fallbacks, no field path). */
const reference = (object: KubeObject): ObjectReference => eventReference(object, { blanks: false });

const referenceKey = (ref: ObjectReference | undefined) =>
  ref ? `${ref.kind}\0${ref.namespace}\0${ref.name}\0${ref.uid}\0${ref.apiVersion}\0${ref.resourceVersion}` : "";

/**
 * An events.k8s.io recorder with client-go's EventSeries (tools/events): events are keyed by
 * type, action, reason, reporting controller and instance, and the regarding and related object
 * references (resourceVersion included). The first event of a key is created; the second turns it
 * into a series (`series: {count: 2, lastObservedTime}`, written as a strategic merge patch, or
 * created again if the Event is gone); later ones only count in the cache. An open series is
 * written again 30 minutes after its last write, and once it has been quiet for 6 minutes it is
 * written with its final count and leaves the cache; a single event leaves it 6 minutes after it
 * was recorded. Upstream runs these two checks on 6- and 30-minute tickers from the start; here
 * one Clock timer is armed for the earliest due entry, only while the cache holds any, so an idle
 * recorder costs nothing. Writes go one at a time in order; a refused write is dropped and passed
 * to `log` (upstream retries transport errors, which in process do not occur).
 */
export function createSeriesEventRecorder(
  client: Client,
  clock: Clock,
  source: { reportingController: string; reportingInstance: string },
  options: { log?: (line: string) => void; series?: Partial<SeriesOptions> } = {},
): SeriesEventRecorder {
  const { finishMs, refreshMs } = { ...SERIES_DEFAULTS, ...options.series };
  /** Single events by key digest, in the order recorded (so also by when they finish). */
  const singles = new Map<number, Single>();
  const series = new Map<number, Series>();
  let sequence = 0;
  let pending: Promise<void> = Promise.resolve();
  let cancelTimer: (() => void) | undefined;
  let armedFor = Number.POSITIVE_INFINITY;

  const write = (what: string, run: () => Promise<unknown>) => {
    const attempt = async () => {
      try {
        await run();
      } catch (error) {
        options.log?.(`Server rejected event (will not retry!): ${what}: ${(error as Error).message ?? error}`);
      }
    };
    pending = pending.then(attempt, attempt);
  };

  /** recordEvent for a series: patch its series field, or create the Event again if it is gone. */
  const writeSeries = (entry: Series) => {
    const seriesField = { count: entry.count, lastObservedTime: toRfc3339Micro(entry.lastObserved) };
    entry.written = clock.now();
    const { name, namespace } = entry.event.metadata;
    write(`${entry.event.type} ${entry.event.reason} ${namespace}/${name}`, async () => {
      try {
        await client.patch(EventsV1, namespace, name, "strategic", { series: seriesField });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await client.create(EventsV1, { ...entry.event, series: seriesField } as KubeObject);
      }
    });
  };

  const dueAt = (entry: Series) => Math.min(entry.lastObserved + finishMs, entry.written + refreshMs);

  /** Arms the timer for the earliest entry due, unless one is armed for then or earlier. */
  const arm = () => {
    let next = Number.POSITIVE_INFINITY;
    for (const single of singles.values()) {
      next = single.time + finishMs;
      break;
    }
    for (const entry of series.values()) next = Math.min(next, dueAt(entry));
    if (next >= armedFor) return;
    cancelTimer?.();
    cancelTimer = undefined;
    armedFor = next;
    if (next === Number.POSITIVE_INFINITY) return;
    cancelTimer = clock.setTimer(Math.max(0, next - clock.now()), fire);
  };

  /** finishSeries and refreshExistingEventSeries, for the entries due. */
  const fire = () => {
    cancelTimer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    const now = clock.now();
    for (const [key, single] of singles) {
      if (single.time + finishMs > now) break;
      singles.delete(key);
    }
    for (const [key, entry] of series) {
      if (entry.lastObserved + finishMs <= now) {
        writeSeries(entry);
        series.delete(key);
      } else if (entry.written + refreshMs <= now) writeSeries(entry);
    }
    arm();
  };

  return {
    event(regarding, type, reason, action, note, related) {
      const now = clock.now();
      const regardingRef = reference(regarding);
      const relatedRef = related ? reference(related) : undefined;
      const key = digest(
        `${type}\0${action}\0${reason}\0${source.reportingController}\0${source.reportingInstance}\0${referenceKey(regardingRef)}\0${referenceKey(relatedRef)}`,
      );
      const open = series.get(key);
      if (open) {
        open.count++;
        open.lastObserved = now;
        return;
      }
      const namespace = regardingRef.namespace || "default";
      const objectName = regardingRef.name ?? "";
      const single = singles.get(key);
      const time = single?.time ?? now;
      const event = {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name: eventName(objectName, time, single?.sequence ?? sequence), namespace },
        eventTime: toRfc3339Micro(time),
        reportingController: source.reportingController,
        reportingInstance: source.reportingInstance,
        action,
        reason,
        regarding: regardingRef,
        ...(relatedRef ? { related: relatedRef } : {}),
        // A series keeps its first event's note, as upstream's cached event does.
        note: single?.note ?? note,
        type,
      } as KubeObject & { metadata: { name: string; namespace: string } };
      if (single) {
        singles.delete(key);
        const entry: Series = { event, count: 2, lastObserved: now, written: now };
        series.set(key, entry);
        writeSeries(entry);
      } else {
        singles.set(key, { time: now, sequence: sequence++ % 1_000_000, note });
        write(`${type} ${reason} ${namespace}/${objectName}`, () => client.create(EventsV1, event));
      }
      // What is armed is due no later than this entry (recorded now, due in 6 minutes at the soonest).
      if (armedFor === Number.POSITIVE_INFINITY) arm();
    },
    get cached() {
      return singles.size + series.size;
    },
    flush() {
      return pending;
    },
    stop() {
      cancelTimer?.();
      cancelTimer = undefined;
      armedFor = Number.POSITIVE_INFINITY;
      singles.clear();
      series.clear();
    },
  };
}
