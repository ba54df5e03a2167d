import type { ControllerRevision } from "../../api/apps";
import type { PodTemplateSpec } from "../../api/core";
import type { KubeObject } from "../../api/types";
import { canonicalJson, computeHash } from "./hash";
import { newControllerRef } from "./ownerReferences";

/**
 * The ControllerRevision a DaemonSet or StatefulSet keeps for a template: its data is the patch
 * upstream's getPatch produces (`{"spec":{"template":{…,"$patch":"replace"}}}`), its name
 * `<owner>-<hash>`, its hash label `controller-revision-hash`.
 */
export function revisionFor(
  owner: KubeObject,
  template: PodTemplateSpec,
  revision: number,
  collisionCount: number | undefined,
  labels: Record<string, string>,
): ControllerRevision {
  const data = { spec: { template: { ...structuredClone(template), $patch: "replace" } } };
  const hash = computeHash(data, collisionCount);
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...labels, "controller-revision-hash": hash },
      ownerReferences: [newControllerRef(owner)],
    },
    data,
    revision,
  };
}

/** Whether a stored revision holds this template. */
export function revisionMatches(revision: ControllerRevision, template: PodTemplateSpec): boolean {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const stored = { ...(data?.spec?.template ?? {}) };
  delete stored.$patch;
  return canonicalJson(stored) === canonicalJson(template);
}

export function revisionHash(revision: ControllerRevision): string {
  return revision.metadata.labels?.["controller-revision-hash"] ?? revision.metadata.name?.split("-").pop() ?? "";
}
