/**
 * What the client-node models lack: the strategic-merge and server-side-apply list semantics from
 * upstream's types.go struct tags (`patchStrategy`, `patchMergeKey`, `+listType`, `+listMapKey`).
 * Keyed by `<client-node model>.<field>`.
 */
export interface ListSemantics {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: "atomic" | "set" | "map";
  listMapKeys?: string[];
}

const mergeBy = (key: string, mapKeys: string[] = [key], strategy = "merge"): ListSemantics => ({
  patchStrategy: strategy,
  patchMergeKey: key,
  listType: "map",
  listMapKeys: mapKeys,
});
const conditions = mergeBy("type");
const containerLists = mergeBy("name");

export const listSemantics: Record<string, ListSemantics> = {
  "V1ObjectMeta.ownerReferences": mergeBy("uid"),
  "V1ObjectMeta.finalizers": { patchStrategy: "merge", listType: "set" },
  "V1PodSpec.volumes": mergeBy("name", ["name"], "merge,retainKeys"),
  "V1PodSpec.initContainers": containerLists,
  "V1PodSpec.containers": containerLists,
  "V1PodSpec.ephemeralContainers": containerLists,
  "V1PodSpec.imagePullSecrets": mergeBy("name"),
  "V1PodSpec.hostAliases": mergeBy("ip"),
  "V1PodSpec.topologySpreadConstraints": mergeBy("topologyKey", ["topologyKey", "whenUnsatisfiable"]),
  "V1PodSpec.resourceClaims": mergeBy("name", ["name"], "merge,retainKeys"),
  "V1PodSpec.schedulingGates": mergeBy("name"),
  "V1PodSpec.tolerations": { listType: "atomic" },
  "V1Container.ports": mergeBy("containerPort", ["containerPort", "protocol"]),
  "V1Container.env": mergeBy("name"),
  "V1Container.volumeMounts": mergeBy("mountPath"),
  "V1Container.volumeDevices": mergeBy("devicePath"),
  "V1EphemeralContainer.ports": mergeBy("containerPort", ["containerPort", "protocol"]),
  "V1EphemeralContainer.env": mergeBy("name"),
  "V1EphemeralContainer.volumeMounts": mergeBy("mountPath"),
  "V1EphemeralContainer.volumeDevices": mergeBy("devicePath"),
  "V1PodStatus.conditions": conditions,
  "V1PodStatus.podIPs": mergeBy("ip"),
  "V1PodStatus.hostIPs": mergeBy("ip"),
  "V1PodStatus.resourceClaimStatuses": mergeBy("name", ["name"], "merge,retainKeys"),
  "V1NodeSpec.podCIDRs": { patchStrategy: "merge", listType: "set" },
  "V1NodeStatus.conditions": conditions,
  "V1NodeStatus.addresses": mergeBy("type"),
  "V1ServiceSpec.ports": mergeBy("port", ["port", "protocol"]),
  "V1ServiceStatus.conditions": conditions,
  "V1ServiceAccount.secrets": mergeBy("name"),
  "V1NamespaceStatus.conditions": conditions,
  "V1PersistentVolumeClaimStatus.conditions": conditions,
  "V1DeploymentSpec.strategy": { patchStrategy: "retainKeys" },
  "V1DeploymentStatus.conditions": conditions,
  "V1ReplicaSetStatus.conditions": conditions,
  "V1DaemonSetStatus.conditions": conditions,
  "V1StatefulSetStatus.conditions": conditions,
  "V1JobStatus.conditions": { ...conditions, listType: "atomic", listMapKeys: undefined },
  "V1PodDisruptionBudgetStatus.conditions": conditions,
  "V2HorizontalPodAutoscalerStatus.conditions": conditions,
  "V1CustomResourceDefinitionStatus.conditions": conditions,
};

/**
 * Fields whose values are `resource.Quantity` (a string or a number on the wire), which the
 * client-node models type as plain strings: `<model>.<field>` → the field itself, or its map values.
 */
export const quantityFields: Record<string, "value" | "map"> = {
  "V1ResourceRequirements.limits": "map",
  "V1ResourceRequirements.requests": "map",
  "V1VolumeResourceRequirements.limits": "map",
  "V1VolumeResourceRequirements.requests": "map",
  "V1NodeStatus.capacity": "map",
  "V1NodeStatus.allocatable": "map",
  "V1PersistentVolumeSpec.capacity": "map",
  "V1PersistentVolumeClaimStatus.capacity": "map",
  "V1PersistentVolumeClaimStatus.allocatedResources": "map",
  "V1ResourceQuotaSpec.hard": "map",
  "V1ResourceQuotaStatus.hard": "map",
  "V1ResourceQuotaStatus.used": "map",
  "V1LimitRangeItem.max": "map",
  "V1LimitRangeItem.min": "map",
  "V1LimitRangeItem.default": "map",
  "V1LimitRangeItem.defaultRequest": "map",
  "V1LimitRangeItem.maxLimitRequestRatio": "map",
  "V1PodSpec.overhead": "map",
  "V1ContainerStatus.allocatedResources": "map",
  "V1EmptyDirVolumeSource.sizeLimit": "value",
  "V1ResourceFieldSelector.divisor": "value",
  "V2MetricTarget.value": "value",
  "V2MetricTarget.averageValue": "value",
  "V2MetricValueStatus.value": "value",
  "V2MetricValueStatus.averageValue": "value",
  "V2HPAScalingRules.tolerance": "value",
};
