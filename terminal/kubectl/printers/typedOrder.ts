import { objectMetaFields } from "../../../engine/api/types";

/**
 * Field order of a typed object as Go's encoding/json writes it (struct order, non-omitempty
 * fields always present), for the places kubectl prints typed objects rather than unstructured
 * maps (cluster-info dump). Kubelab's server already writes most fields in the types' order; what
 * differs is ObjectMeta's order and the fields a typed Event always has.
 */
const objectMetaOrder: readonly string[] = objectMetaFields;

/** core/v1 Event: struct order; source, firstTimestamp, lastTimestamp and eventTime are not omitempty. */
const eventOrder = [
  "kind",
  "apiVersion",
  "metadata",
  "involvedObject",
  "reason",
  "message",
  "source",
  "firstTimestamp",
  "lastTimestamp",
  "count",
  "type",
  "eventTime",
  "series",
  "action",
  "related",
  "reportingComponent",
  "reportingInstance",
];
const eventAlways: Record<string, unknown> = { source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null };

type Json = Record<string, unknown>;

function ordered(object: Json, order: readonly string[], always: Json = {}): Json {
  const out: Json = {};
  for (const key of order) {
    if (key in object) out[key] = object[key];
    else if (key in always) out[key] = always[key];
  }
  for (const key of Object.keys(object)) if (!(key in out)) out[key] = object[key];
  return out;
}

/** A typed object's JSON order: ObjectMeta in struct order, and an Event's fields as its struct has them. */
export function typedOrder(object: Json): Json {
  let out = { ...object };
  if (out.metadata && typeof out.metadata === "object")
    out.metadata = ordered(out.metadata as Json, objectMetaOrder, { creationTimestamp: null });
  if (out.kind === "Event") out = ordered(out, eventOrder, eventAlways);
  return out;
}
