import type { KubeObject, OwnerReference } from "../../api/types";

/** metav1.GetControllerOf: the owner reference with controller=true. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((reference) => reference.controller === true);
}

/** metav1.NewControllerRef: controller=true, blockOwnerDeletion=true. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? "",
    uid: owner.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `object` names `owner` (by uid) among its owner references. */
export function isOwnedBy(object: KubeObject, ownerUid: string | undefined): boolean {
  return !!ownerUid && (object.metadata.ownerReferences ?? []).some((reference) => reference.uid === ownerUid);
}
