import type { KubeObject } from "../../api/types";
import type { AdmissionContext, AdmissionPlugin } from "./Admission";

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
const BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/** upstream storageutil.IsDefaultAnnotation. */
function isDefault(storageClass: KubeObject): boolean {
  const annotations = storageClass.metadata.annotations ?? {};
  return annotations[DEFAULT_CLASS_ANNOTATION] === "true" || annotations[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}

/**
 * upstream storageutil.GetDefaultClass: of the classes marked default, the newest (by
 * creationTimestamp, then name), since 1.26 no longer an error when several are.
 */
export function defaultStorageClass(context: Pick<AdmissionContext, "list">): KubeObject | undefined {
  let chosen: KubeObject | undefined;
  for (const storageClass of context.list("storage.k8s.io", "storageclasses", undefined)) {
    if (!isDefault(storageClass)) continue;
    if (!chosen) {
      chosen = storageClass;
      continue;
    }
    const created = storageClass.metadata.creationTimestamp ?? "";
    const chosenCreated = chosen.metadata.creationTimestamp ?? "";
    if (
      created > chosenCreated ||
      (created === chosenCreated && (storageClass.metadata.name ?? "") < (chosen.metadata.name ?? ""))
    )
      chosen = storageClass;
  }
  return chosen;
}

/**
 * DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a PersistentVolumeClaim
 * created without a class — no `spec.storageClassName` (an empty string is an explicit "no class")
 * and no beta annotation — gets the default StorageClass's name. No default: left alone.
 */
export const defaultStorageClassAdmission: AdmissionPlugin = {
  name: "DefaultStorageClass",
  admit(attributes, context) {
    if (attributes.operation !== "CREATE" || attributes.subresource) return;
    if (attributes.definition.group !== "" || attributes.definition.resource !== "persistentvolumeclaims") return;
    const claim = attributes.object;
    if (!claim) return;
    if (claim.spec?.storageClassName !== undefined && claim.spec?.storageClassName !== null) return;
    if (claim.metadata.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return;
    const chosen = defaultStorageClass(context);
    if (!chosen?.metadata.name) return;
    claim.spec ??= {};
    claim.spec.storageClassName = chosen.metadata.name;
  },
};
