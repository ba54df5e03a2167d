/**
 * core/v1 events: ValidateEventCreate (the parts that apply to the v1 API), GetAttrs and
 * printEvent/printEventList (sorted by last timestamp).
 */
import type { Event } from "../../../api/core";
import type { FieldError, ResourceDefinition, TableConvertor } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { column, nameColumn, translateTimestampSince } from "../support/printing";
import { invalid, nameIsDnsSubdomain, required, validateObjectMeta } from "../support/validation";

/** ValidateEventCreate for events written through either API. */
export function validateEvent(event: Event): FieldError[] {
  const errors = validateObjectMeta(event.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const involved = event.involvedObject ?? {};
  const namespace = event.metadata.namespace;
  if (involved.namespace && namespace && involved.namespace !== namespace && namespace !== "default") {
    errors.push(invalid("involvedObject.namespace", involved.namespace, "does not match event.namespace"));
  }
  if (event.type && !["Normal", "Warning"].includes(event.type) && event.reportingComponent) {
    errors.push({
      type: "FieldValueNotSupported",
      field: "type",
      badValue: event.type,
      supportedValues: ["Normal", "Warning"],
    });
  }
  if (event.eventTime && event.reportingComponent === undefined) {
    errors.push(required("reportingController", "needs to be set for the event"));
  }
  if ((event.reason ?? "").length > 128)
    errors.push(invalid("reason", event.reason, "can have at most 128 characters"));
  if ((event.action ?? "").length > 128)
    errors.push(invalid("action", event.action, "can have at most 128 characters"));
  return errors;
}

/** upstream formatEventSource. */
function eventSource(event: Event): string {
  const component = event.source?.component || event.reportingComponent || "";
  const instance = event.source?.host || event.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

export const eventTable: TableConvertor<Event> = {
  columns: [
    column("Last Seen", "string", ["CoreV1Event", "lastTimestamp"]),
    column("Type", "string", ["CoreV1Event", "type"]),
    column("Reason", "string", ["CoreV1Event", "reason"]),
    column("Object", "string", ["CoreV1Event", "involvedObject"]),
    column("Subobject", "string", ["V1ObjectReference", "fieldPath"], 1),
    column("Source", "string", ["CoreV1Event", "source"], 1),
    column("Message", "string", ["CoreV1Event", "message"]),
    column("First Seen", "string", ["CoreV1Event", "firstTimestamp"], 1),
    column("Count", "string", ["CoreV1Event", "count"], 1),
    { ...nameColumn(), priority: 1 },
  ],
  cells(event, now) {
    let firstTimestamp = translateTimestampSince(event.firstTimestamp, now);
    if (!event.firstTimestamp) firstTimestamp = translateTimestampSince(event.eventTime, now);
    let lastTimestamp = translateTimestampSince(event.lastTimestamp, now);
    if (!event.lastTimestamp) lastTimestamp = firstTimestamp;
    let count = event.count ?? 0;
    if (event.series) {
      lastTimestamp = translateTimestampSince(event.series.lastObservedTime, now);
      count = event.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the new API carry no count.
      count = 1;
    }
    const involved = event.involvedObject ?? {};
    const kind = (involved.kind ?? "").toLowerCase();
    const target = involved.name ? `${kind}/${involved.name}` : kind;
    return [
      lastTimestamp,
      event.type ?? "",
      event.reason ?? "",
      target,
      involved.fieldPath ?? "",
      eventSource(event),
      (event.message ?? "").trim(),
      firstTimestamp,
      count,
      event.metadata.name ?? "",
    ];
  },
  // No sorting: upstream's printEventList keeps storage order despite its comment (the
  // SortableEvents sort went with client-side printing; kubernetes/kubernetes#29838 is open).
};

/** upstream event GetAttrs (pkg/registry/core/event/strategy.go ToSelectableFields). */
export const eventSelectableFields: Record<string, (event: Event) => string> = {
  "involvedObject.kind": (event) => event.involvedObject?.kind ?? "",
  "involvedObject.namespace": (event) => event.involvedObject?.namespace ?? "",
  "involvedObject.name": (event) => event.involvedObject?.name ?? "",
  "involvedObject.uid": (event) => event.involvedObject?.uid ?? "",
  "involvedObject.apiVersion": (event) => event.involvedObject?.apiVersion ?? "",
  "involvedObject.resourceVersion": (event) => event.involvedObject?.resourceVersion ?? "",
  "involvedObject.fieldPath": (event) => event.involvedObject?.fieldPath ?? "",
  reason: (event) => event.reason ?? "",
  reportingComponent: (event) => event.reportingComponent ?? "",
  source: (event) => event.source?.component || event.reportingComponent || "",
  type: (event) => event.type ?? "",
};

export const events: ResourceDefinition<Event> = {
  group: "",
  versions: ["v1"],
  resource: "events",
  kind: "Event",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  storagePrefix: "events",
  strategy: {
    defaults(event) {
      event.involvedObject ??= {};
    },
    validate: validateEvent,
    validateUpdate: validateEvent,
  },
  table: eventTable,
  selectableFields: eventSelectableFields,
  schema: kindSchema("", "v1", "Event"),
  schemaComponents,
};
