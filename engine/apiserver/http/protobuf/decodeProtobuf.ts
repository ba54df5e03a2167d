import { toRfc3339, toRfc3339Micro } from "../../../clock/Clock";
import { protobufSchemasJson } from "./protobufSchemas";
import { ProtoReader } from "./wire";

/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON objects the registry
 * works with. kubectl's typed clients (`kubectl create deployment|namespace|configmap|secret …`,
 * `auth can-i`, `create token`) send protobuf and cannot fall back, so the API server must read it.
 * The envelope is upstream's: the magic `k8s\0` then a runtime.Unknown carrying apiVersion, kind
 * and the message bytes. Field numbers come from upstream's generated.proto (protobufSchemas.json).
 */

type Field = [number, string, number, string?, 1?];

const schemas = JSON.parse(protobufSchemasJson) as { messages: Record<string, Field[]>; maps: string[] };
const messages = schemas.messages;
const mapEntries = new Set(schemas.maps);
const fieldIndex = new Map<string, Map<number, Field>>();

/**
 * Proto field names gogo derived from a Go field name with an initialism, whose JSON name differs
 * (`UID` → proto `uID`, json `uid`): kubectl create token's --bound-object-uid arrives as `uID`.
 */
const JSON_NAMES: Record<string, string> = { uID: "uid", aPIGroup: "apiGroup" };

function fieldsOf(message: string): Map<number, Field> | undefined {
  let index = fieldIndex.get(message);
  if (!index) {
    const fields = messages[message];
    if (!fields) return undefined;
    index = new Map(
      fields.map((field) => {
        const jsonName = JSON_NAMES[field[1]];
        return [field[0], jsonName ? ([field[0], jsonName, ...field.slice(2)] as Field) : field];
      }),
    );
    fieldIndex.set(message, index);
  }
  return index;
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
const decoder = new TextDecoder();

/** The protobuf message name of a kind: `apps/v1 Deployment` → `k8s.io.api.apps.v1.Deployment`. */
export function messageNameOf(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const candidates =
    group === "" || group === "meta.k8s.io"
      ? [`k8s.io.api.core.${version}.${kind}`, `${META}.${kind}`]
      : [`k8s.io.api.${group.split(".")[0]}.${version}.${kind}`];
  return candidates.find((name) => messages[name] !== undefined);
}

export class ProtobufDecodeError extends Error {}

/** Decodes an enveloped protobuf body into a JSON object with apiVersion and kind. */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((byte, index) => body[index] !== byte)) {
    throw new ProtobufDecodeError(
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
  }
  const unknown = decodeMessage(body.subarray(4), "k8s.io.apimachinery.pkg.runtime.Unknown", true) as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const apiVersion = unknown.typeMeta?.apiVersion ?? "";
  const kind = unknown.typeMeta?.kind ?? "";
  const message = messageNameOf(apiVersion, kind);
  if (!message) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const object = decodeMessage(unknown.raw ?? new Uint8Array(0), message, false) as Record<string, unknown>;
  return { apiVersion, kind, ...object };
}

function float(bytes: Uint8Array, size: 4 | 8): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  return size === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Go's time.Duration.String() for whole and fractional seconds. */
function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const negative = nanoseconds < 0;
  let rest = Math.abs(nanoseconds) / 1e9;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  rest -= minutes * 60;
  const seconds = Number(rest.toFixed(9)).toString();
  const text = hours > 0 ? `${hours}h${minutes}m${seconds}s` : minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
  return negative ? `-${text}` : text;
}

/** Well-known messages that have a JSON form other than an object. */
function special(message: string, value: Record<string, unknown>): unknown {
  switch (message) {
    case `${META}.Time`: {
      const seconds = Number(value.seconds ?? 0);
      return seconds === 0 && !value.nanos ? undefined : toRfc3339(seconds * 1000);
    }
    case `${META}.MicroTime`: {
      const seconds = Number(value.seconds ?? 0);
      const nanos = Number(value.nanos ?? 0);
      return seconds === 0 && nanos === 0 ? undefined : toRfc3339Micro(seconds * 1000 + nanos / 1e6);
    }
    case `${META}.Duration`:
      return goDuration(Number(value.duration ?? 0));
    case "k8s.io.apimachinery.pkg.api.resource.Quantity":
      return value.string ?? "0";
    case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
      return Number(value.type ?? 0) === 1 ? (value.strVal ?? "") : Number(value.intVal ?? 0);
    case "k8s.io.apimachinery.pkg.runtime.RawExtension":
    case `${META}.FieldsV1`: {
      const raw = value.raw as Uint8Array | undefined;
      if (!raw || raw.length === 0) return undefined;
      try {
        return JSON.parse(decoder.decode(raw));
      } catch {
        return undefined;
      }
    }
    default:
      return NOT_SPECIAL;
  }
}

const NOT_SPECIAL = Symbol("not special");

/**
 * How zeros on the wire map to the JSON form. Go's generated Marshal writes every non-pointer
 * scalar (zero or not) and a pointer only when it is set; Unmarshal leaves an absent field at its
 * Go zero value (nil for a pointer). The JSON form the API server stores then omits a non-pointer
 * `omitempty` scalar that is zero, and keeps a set pointer (even to 0/false) and any field whose
 * tag lacks `omitempty`. The wire cannot tell a set pointer's zero from a plain field's zero, so
 * the scalar fields whose zero the JSON form keeps are listed here, by JSON name, from upstream's
 * types (pointers such as `replicas`, `tolerationSeconds`, `leaseDurationSeconds`; non-omitempty
 * fields such as `restartCount`, `exitCode`, `port`, `value`). Zero scalars of other fields are
 * dropped, as the JSON form would. Embedded messages (IntOrString, Quantity, structs) are never
 * dropped for being zero: Go writes a message only when it is set (pointer) or always (value
 * struct, which `omitempty` never omits in JSON), so `maxUnavailable: 0` stays.
 */
const MEANINGFUL_ZERO = new Set([
  "replicas",
  "parallelism",
  "completions",
  "backoffLimit",
  "backoffLimitPerIndex",
  "maxFailedIndexes",
  "terminationGracePeriodSeconds",
  "activeDeadlineSeconds",
  "revisionHistoryLimit",
  "progressDeadlineSeconds",
  "successfulJobsHistoryLimit",
  "failedJobsHistoryLimit",
  "startingDeadlineSeconds",
  "ttlSecondsAfterFinished",
  "runAsUser",
  "runAsGroup",
  "fsGroup",
  "defaultMode",
  "mode",
  "priority",
  "minReplicas",
  "gracePeriodSeconds",
  "expirationSeconds",
  "automountServiceAccountToken",
  "enableServiceLinks",
  "allowPrivilegeEscalation",
  "privileged",
  "readOnlyRootFilesystem",
  "runAsNonRoot",
  "allocateLoadBalancerNodePorts",
  "ready",
  "serving",
  "terminating",
  "optional",
  "hostUsers",
  "immutable",
  "suspend",
  "setHostnameAsFQDN",
  "shareProcessNamespace",
  "manualSelector",
  "controller",
  "blockOwnerDeletion",
  "allowed",
  "denied",
  "value",
  // Pointers to scalars (a set zero is kept in JSON).
  "tolerationSeconds",
  "leaseDurationSeconds",
  "leaseTransitions",
  "minDomains",
  "partition",
  "started",
  "allowVolumeExpansion",
  "orphanDependents",
  // Non-pointer scalars without omitempty (JSON always writes them).
  "restartCount",
  "exitCode",
  "port",
  "containerPort",
  "weight",
  "maxSkew",
  "maxReplicas",
  "desiredReplicas",
  "revision",
  "seconds",
]);

/** A scalar zero (or empty string) that the JSON form of the field would omit. */
function isOmittedScalar(name: string, value: unknown): boolean {
  if (value === "") return true;
  return (value === false || value === 0) && !MEANINGFUL_ZERO.has(name);
}

function scalar(reader: ProtoReader, type: number, wireType: number): unknown {
  switch (type) {
    case 1:
      return float(reader.fixed64(), 8);
    case 2:
      return float(reader.fixed32(), 4);
    case 3:
    case 5:
    case 17:
    case 18:
      return type >= 17 ? zigzag(reader.varint()) : reader.signedVarint();
    case 4:
    case 13:
      return reader.varint();
    case 8:
      return reader.varint() !== 0;
    case 9:
      return decoder.decode(reader.bytesField());
    case 12:
      return reader.bytesField();
    default:
      reader.skip(wireType);
      return undefined;
  }
}

/**
 * Embedded Go structs tagged `json:",inline"`: protobuf carries them as a nested message (field
 * `volumeSource` of Volume, `ingressRuleValue` of IngressRule …) but their JSON form puts the
 * nested fields directly on the parent. Keyed by the parent message's short name and the field.
 */
const INLINE_FIELDS = new Set([
  "Volume.volumeSource",
  "PersistentVolumeSpec.persistentVolumeSource",
  "ConfigMapEnvSource.localObjectReference",
  "ConfigMapKeySelector.localObjectReference",
  "ConfigMapProjection.localObjectReference",
  "ConfigMapVolumeSource.localObjectReference",
  "SecretEnvSource.localObjectReference",
  "SecretKeySelector.localObjectReference",
  "SecretProjection.localObjectReference",
  "IngressRule.ingressRuleValue",
  "Probe.handler",
  "EphemeralContainer.ephemeralContainerCommon",
  "NamedRuleWithOperations.ruleWithOperations",
  "RuleWithOperations.rule",
  "DeviceAllocationConfiguration.deviceConfiguration",
  "DeviceClaimConfiguration.deviceConfiguration",
  "DeviceClassConfiguration.deviceConfiguration",
]);

function isInline(message: string, field: string): boolean {
  return INLINE_FIELDS.has(`${message.slice(message.lastIndexOf(".") + 1)}.${field}`);
}

/** The container at `result[name]`, created on first use. */
function slot(result: Record<string, unknown>, name: string, create: () => object): object {
  let value = result[name] as object | undefined;
  if (value === undefined) {
    value = create();
    result[name] = value;
  }
  return value;
}

function zigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/**
 * Decodes one message. Empty strings are dropped (Go writes every non-pointer string, and JSON
 * would omit them with omitempty); `raw` keeps bytes as bytes (for Unknown/RawExtension).
 */
function decodeMessage(bytes: Uint8Array, message: string, raw: boolean, depth = 0): unknown {
  if (depth > 64) throw new ProtobufDecodeError("protobuf message nested too deeply");
  const fields = fieldsOf(message);
  if (!fields) throw new ProtobufDecodeError(`unknown protobuf message ${message}`);
  const reader = new ProtoReader(bytes);
  const result: Record<string, unknown> = {};
  while (!reader.done) {
    const { field: number, wireType } = reader.tag();
    const field = fields.get(number);
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    const [, name, type, typeName, repeated] = field;
    let value: unknown;
    if (type === 11) {
      const nested = typeName ?? "";
      if (mapEntries.has(nested)) {
        const entry = decodeMessage(reader.bytesField(), nested, raw, depth + 1) as { key?: unknown; value?: unknown };
        const map = slot(result, name, () => ({})) as Record<string, unknown>;
        map[String(entry.key ?? "")] = entry.value instanceof Uint8Array ? base64(entry.value) : (entry.value ?? "");
        continue;
      }
      const decoded = decodeMessage(
        reader.bytesField(),
        nested,
        raw || nested.endsWith(".RawExtension") || nested.endsWith(".FieldsV1"),
        depth + 1,
      ) as Record<string, unknown>;
      if (!repeated && isInline(message, name)) {
        Object.assign(result, decoded);
        continue;
      }
      const converted = special(nested, decoded);
      value = converted === NOT_SPECIAL ? decoded : converted;
      if (value !== undefined && !repeated) {
        result[name] = value;
        continue;
      }
    } else if (repeated && wireType === 2 && type !== 9 && type !== 12) {
      // A packed repeated scalar.
      const packed = new ProtoReader(reader.bytesField());
      const list = slot(result, name, () => []) as unknown[];
      while (!packed.done) list.push(scalar(packed, type, type === 1 ? 1 : type === 2 ? 5 : 0));
      continue;
    } else {
      value = scalar(reader, type, wireType);
      if (value instanceof Uint8Array && !raw) value = base64(value);
    }
    if (repeated) {
      (slot(result, name, () => []) as unknown[]).push(value);
    } else if (value !== undefined && !isOmittedScalar(name, value)) {
      result[name] = value;
    }
  }
  return result;
}
