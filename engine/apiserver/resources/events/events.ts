/**
 * events.k8s.io/v1 events: the same stored objects as core/v1 events (storagePrefix `events`),
 * served in the newer shape through a conversion, with the same table as core events.
 */
import type { Event } from "../../../api/core";
import type { EventsV1Event } from "../../../api/events";
import type { KubeObject } from "../../../api/types";
import type { ResourceDefinition } from "../../ResourceDefinition";
import { eventSelectableFields, eventTable, validateEvent } from "../core/events";
import { kindSchema, schemaComponents } from "../schema/schemas";

/** Drops undefined fields so converted objects serialize like upstream's. */
function compact<T extends object>(object: T): T {
  return JSON.parse(JSON.stringify(object));
}

/** core/v1 (stored) ⇄ events.k8s.io/v1, as upstream's conversion functions pair the fields. */
export const eventConversion = {
  fromStorage(object: KubeObject): KubeObject {
    const event = object as Event;
    const converted: EventsV1Event = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: structuredClone(event.metadata),
      eventTime: event.eventTime ?? null,
      series: event.series as EventsV1Event["series"],
      reportingController: event.reportingComponent,
      reportingInstance: event.reportingInstance,
      action: event.action,
      reason: event.reason,
      regarding: event.involvedObject,
      related: event.related,
      note: event.message,
      type: event.type,
      deprecatedSource: event.source,
      deprecatedFirstTimestamp: event.firstTimestamp ?? undefined,
      deprecatedLastTimestamp: event.lastTimestamp ?? undefined,
      deprecatedCount: event.count,
    };
    return compact(converted);
  },
  toStorage(object: KubeObject): KubeObject {
    const event = object as EventsV1Event;
    const converted: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: structuredClone(event.metadata),
      involvedObject: event.regarding ?? {},
      reason: event.reason,
      message: event.note,
      source: event.deprecatedSource,
      firstTimestamp: event.deprecatedFirstTimestamp,
      lastTimestamp: event.deprecatedLastTimestamp,
      count: event.deprecatedCount,
      type: event.type,
      eventTime: event.eventTime,
      series: event.series,
      action: event.action,
      related: event.related,
      reportingComponent: event.reportingController,
      reportingInstance: event.reportingInstance,
    };
    return compact(converted);
  },
};

export const eventsV1Events: ResourceDefinition<Event> = {
  group: "events.k8s.io",
  versions: ["v1"],
  resource: "events",
  kind: "Event",
  singular: "event",
  namespaced: true,
  shortNames: ["ev"],
  storagePrefix: "events",
  strategy: {
    validate(event) {
      const errors = validateEvent(event);
      // The new API requires what the old one left optional.
      if (!event.eventTime) errors.push({ type: "FieldValueRequired", field: "eventTime" });
      if (!event.reportingComponent) errors.push({ type: "FieldValueRequired", field: "reportingController" });
      if (!event.reportingInstance) errors.push({ type: "FieldValueRequired", field: "reportingInstance" });
      if (!event.action) errors.push({ type: "FieldValueRequired", field: "action" });
      if (!event.reason) errors.push({ type: "FieldValueRequired", field: "reason" });
      if (event.type !== "Normal" && event.type !== "Warning") {
        errors.push({
          type: "FieldValueInvalid",
          field: "type",
          badValue: event.type ?? "",
          detail: "has invalid value: ".concat(event.type ?? ""),
        });
      }
      return errors;
    },
    validateUpdate: validateEvent,
  },
  conversion: eventConversion,
  table: eventTable,
  selectableFields: eventSelectableFields,
  schema: kindSchema("events.k8s.io", "v1", "Event"),
  schemaComponents,
};
