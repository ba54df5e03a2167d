import type { Discovery, ResourceInfo } from "./Discovery";
import { resourcePath } from "./Discovery";
import { ApiStatusError } from "./errors";
import { toGoJsonCompact } from "./printers/goJson";
import type { RestClient } from "./RestClient";
import { applyStrategicPatch, threeWayJsonMergePatch, threeWayMergePatch } from "./strategicMerge";

/** The annotation client-side apply keeps the last applied configuration in. */
export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; [key: string]: unknown };
};

/** Options of one apply. */
export interface ApplyOptions {
  /** Namespace for namespaced objects that don't name one. */
  namespace: string;
  serverSide?: boolean;
  forceConflicts?: boolean;
  fieldManager?: string;
  dryRun?: "none" | "client" | "server";
  /** False to leave the last-applied annotation alone (kubectl diff's GetModifiedConfiguration(…, false)). */
  annotate?: boolean;
  /** Called before patching an object that lacks the last-applied annotation (kubectl warns). */
  onMissingAnnotation?(info: ResourceInfo, name: string): void;
  /** The fieldValidation directive of --validate (kubectl's default: Strict). */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  /** The file the object came from: server errors then name it, as kubectl apply's do. */
  source?: string;
}

/** What apply did to one object. */
export interface ApplyResult {
  info: ResourceInfo;
  name: string;
  /** created | configured | unchanged | serverside-applied */
  operation: "created" | "configured" | "unchanged" | "serverside-applied";
  object: KubeObject;
  /** Set when the live object had no last-applied annotation (kubectl warns). */
  missingAnnotation?: boolean;
}

/**
 * cmdutil.AddSourceToErr: a server error's message prefixed with what kubectl was doing to which
 * file (`error when creating "x.yaml": …`); without a file, the error as it was.
 */
export function addSourceToError(error: unknown, verb: string, source: string | undefined): unknown {
  if (!source || !(error instanceof ApiStatusError)) return error;
  const message = `error when ${verb} "${source}": ${error.status.message ?? ""}`;
  return new ApiStatusError(error.statusCode, { ...error.status, message }, error.rawBody);
}

/** resource.Info's String(): the mapping, then name and namespace. */
function infoString(info: ResourceInfo, name: string, namespace: string | undefined): string {
  const groupVersion = `${info.group}/${info.version}`;
  return `Resource: "${groupVersion}, Resource=${info.resource}", GroupVersionKind: "${groupVersion}, Kind=${info.kind}"\nName: "${name}", Namespace: "${namespace ?? ""}"`;
}

/** The value kubectl stores in the last-applied annotation: compact sorted JSON plus a newline. */
export function lastAppliedValue(object: KubeObject): string {
  const copy = structuredClone(object);
  // kubectl keeps the (possibly empty) annotations map after taking its own annotation out.
  const annotations = { ...(copy.metadata?.annotations ?? {}) };
  delete annotations[lastAppliedAnnotation];
  copy.metadata = { ...(copy.metadata ?? {}), annotations };
  return `${toGoJsonCompact(copy)}\n`;
}

/** The object as GetModifiedConfiguration(annotate=false) encodes it: annotations kept, ours dropped, map present. */
function withoutAnnotation(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  const annotations = { ...(copy.metadata?.annotations ?? {}) };
  delete annotations[lastAppliedAnnotation];
  copy.metadata = { ...(copy.metadata ?? {}), annotations };
  return copy;
}

function withAnnotation(object: KubeObject): KubeObject {
  const value = lastAppliedValue(object);
  const copy = structuredClone(object);
  copy.metadata = {
    ...(copy.metadata ?? {}),
    annotations: { ...(copy.metadata?.annotations ?? {}), [lastAppliedAnnotation]: value },
  };
  return copy;
}

/**
 * Applies one object as `kubectl apply` does: client-side (create with the last-applied
 * annotation, or a three-way strategic merge patch) or server-side (apply patch).
 */
export async function applyObject(
  client: RestClient,
  discovery: Discovery,
  input: KubeObject,
  options: ApplyOptions,
): Promise<ApplyResult> {
  let object = input;
  const info = await discovery.resolveKind(String(object.apiVersion ?? ""), String(object.kind ?? ""));
  const name = String(object.metadata?.name ?? "");
  const namespace = info.namespaced ? (object.metadata?.namespace ?? options.namespace) : undefined;
  if (namespace && !options.serverSide) object = { ...object, metadata: { ...(object.metadata ?? {}), namespace } };
  const dryRun = options.dryRun ?? "none";
  const dryRunQuery = dryRun === "server" ? "All" : undefined;
  if (options.serverSide) {
    const body = structuredClone(object);
    if (info.namespaced && namespace) body.metadata = { ...(body.metadata ?? {}), namespace };
    if (dryRun === "client") return { info, name, operation: "serverside-applied", object: body };
    const result = await client.json<KubeObject>("PATCH", resourcePath(info, namespace, name), {
      body: JSON.stringify(body),
      contentType: "application/apply-patch+yaml",
      query: {
        fieldManager: options.fieldManager ?? "kubectl",
        force: options.forceConflicts === true,
        fieldValidation: options.fieldValidation ?? "Strict",
        dryRun: dryRunQuery,
      },
    });
    return { info, name, operation: "serverside-applied", object: result };
  }
  let current: KubeObject | undefined;
  try {
    current = await client.get<KubeObject>(resourcePath(info, namespace, name));
  } catch (error) {
    if (!(error instanceof ApiStatusError) || error.reason !== "NotFound") throw error;
  }
  const modified = options.annotate === false ? withoutAnnotation(object) : withAnnotation(object);
  if (!current) {
    if (info.namespaced && namespace && !modified.metadata?.namespace)
      modified.metadata = { ...(modified.metadata ?? {}), namespace };
    if (dryRun === "client") return { info, name, operation: "created", object: modified };
    const created = await client
      .json<KubeObject>("POST", resourcePath(info, namespace), {
        body: modified,
        query: {
          fieldManager: options.fieldManager ?? "kubectl-client-side-apply",
          fieldValidation: options.fieldValidation ?? "Strict",
          dryRun: dryRunQuery,
        },
      })
      .catch((error: unknown) => {
        throw addSourceToError(error, "creating", options.source);
      });
    return { info, name, operation: "created", object: created };
  }
  const originalText = current.metadata?.annotations?.[lastAppliedAnnotation];
  const original = originalText ? (JSON.parse(originalText) as KubeObject) : undefined;
  const builtin = !info.group.includes(".") || info.group.endsWith(".k8s.io");
  const patch = builtin
    ? threeWayMergePatch(original, modified, current)
    : threeWayJsonMergePatch(original, modified, current);
  const missingAnnotation = !originalText;
  if (Object.keys(patch).length === 0)
    return { info, name, operation: "unchanged", object: current, missingAnnotation };
  if (missingAnnotation) options.onMissingAnnotation?.(info, name);
  if (dryRun === "client") {
    return {
      info,
      name,
      operation: "configured",
      object: applyStrategicPatch(current, patch) as KubeObject,
      missingAnnotation,
    };
  }
  const patched = await client
    .json<KubeObject>("PATCH", resourcePath(info, namespace, name), {
      body: JSON.stringify(patch),
      contentType: builtin ? "application/strategic-merge-patch+json" : "application/merge-patch+json",
      query: {
        fieldManager: options.fieldManager ?? "kubectl-client-side-apply",
        fieldValidation: options.fieldValidation ?? "Strict",
        dryRun: dryRunQuery,
      },
    })
    .catch((error: unknown) => {
      // apply's patcher: the patch and the object it was for, around the patch's own failure.
      const patching = addSourceToError(error, "patching", options.source);
      const target = `${infoString(info, name, namespace)}\nfor:`;
      throw addSourceToError(patching, `applying patch:\n${toGoJsonCompact(patch)}\nto:\n${target}`, options.source);
    });
  return { info, name, operation: "configured", object: patched, missingAnnotation };
}
