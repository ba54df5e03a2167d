import type { KubeObject } from "../commands/common";
import type { ResourceInfo } from "../Discovery";
import { goSort } from "../goSort";
import type { RestClient } from "../RestClient";
import { type DescribeWriter, since } from "./format";

/** What a describer may use. */
export interface DescribeContext {
  client: RestClient;
  now: Date;
  showEvents: boolean;
  /** Max events (--chunk-size is kubectl's page size; events are listed whole here). */
  info: ResourceInfo;
}

/** Describers walk loosely typed API JSON. */
// biome-ignore lint/suspicious/noExplicitAny: describers walk loosely typed API JSON
export type Any = any;

export interface EventList {
  items: Any[];
}

/**
 * Events about an object, as describe lists them (by involvedObject name, namespace, kind, uid).
 * A node's events carry either its uid (controllers) or its name (kubelets) as the uid, so kubectl
 * searches both and merges them.
 */
export async function searchEvents(
  context: DescribeContext,
  object: KubeObject,
  kindOverride?: string,
  uidOverride?: string,
): Promise<EventList | undefined> {
  if (!context.showEvents) return undefined;
  const metadata = object.metadata ?? {};
  const kind = kindOverride ?? object.kind ?? "";
  // GetFieldSelector: an empty kind or uid is left out of the selector.
  const search = async (uid: string | undefined): Promise<Any[]> => {
    const selector = [
      `involvedObject.name=${metadata.name}`,
      `involvedObject.namespace=${metadata.namespace ?? ""}`,
      ...(kind ? [`involvedObject.kind=${kind}`] : []),
      ...(uid ? [`involvedObject.uid=${uid}`] : []),
    ].join(",");
    const path = metadata.namespace ? `/api/v1/namespaces/${metadata.namespace}/events` : "/api/v1/events";
    try {
      return (await context.client.get<EventList>(path, { query: { fieldSelector: selector } })).items;
    } catch {
      return [];
    }
  };
  const items = await search(uidOverride ?? metadata.uid);
  if (kind === "Node" && metadata.uid !== metadata.name) items.push(...(await search(metadata.name)));
  return { items };
}

/** DescribeEvents: the Events table, oldest first. */
export function describeEvents(w: DescribeWriter, events: EventList | undefined, now: Date): void {
  if (!events) return;
  if (events.items.length === 0) {
    w.write(0, "Events:\t<none>\n");
    return;
  }
  w.flush();
  // kubectl's SortableEvents (pkg/util/event) orders by lastTimestamp alone: an events.k8s.io
  // event (the scheduler's Scheduled, which has only an eventTime) sorts before the rest, as on a
  // real cluster. kubectl sorts with sort.Sort, so over 12 events ties can change places: goSort
  // moves them as Go does.
  const lastTimestamp = (event: (typeof events.items)[number]) =>
    event.lastTimestamp ? new Date(event.lastTimestamp).getTime() : Number.NEGATIVE_INFINITY;
  const items = goSort([...events.items], (a, b) => lastTimestamp(a) < lastTimestamp(b));
  w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.write(1, "----\t------\t----\t----\t-------\n");
  for (const event of items) {
    const first = event.eventTime ? since(event.eventTime, now) : since(event.firstTimestamp, now);
    let interval: string;
    if (event.series) interval = `${since(event.series.lastObservedTime, now)} (x${event.series.count} over ${first})`;
    else if ((event.count ?? 0) > 1) interval = `${since(event.lastTimestamp, now)} (x${event.count} over ${first})`;
    else interval = first;
    const source = event.source?.component || event.reportingComponent || "";
    w.write(
      1,
      `${event.type ?? ""}\t${event.reason ?? ""}\t${interval}\t${source}\t${String(event.message ?? "").trim()}\n`,
    );
  }
}
