/** core/v1 nodes: upstream's pkg/registry/core/node strategy and printNode. */
import type { Node, Taint } from "../../../api/core";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  duplicate,
  invalid,
  isQualifiedName,
  isValidLabelValue,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
} from "../support/validation";

const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

function validateTaints(taints: Taint[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((taint, index) => {
    const path = `spec.taints[${index}]`;
    if (!taint.key) errors.push(required(`${path}.key`));
    else for (const message of isQualifiedName(taint.key)) errors.push(invalid(`${path}.key`, taint.key, message));
    if (taint.value)
      for (const message of isValidLabelValue(taint.value)) errors.push(invalid(`${path}.value`, taint.value, message));
    if (!taint.effect) errors.push(required(`${path}.effect`));
    else if (!taintEffects.includes(taint.effect))
      errors.push(notSupported(`${path}.effect`, taint.effect, taintEffects));
    const identity = `${taint.key}\u0000${taint.effect}`;
    if (seen.has(identity)) {
      errors.push({
        ...duplicate(`spec.taints[${index}]`, taint),
        detail: "taints must be unique by key and effect pair",
        renderedBadValue: `core.Taint{Key:${JSON.stringify(taint.key)}, Value:${JSON.stringify(taint.value ?? "")}, Effect:${JSON.stringify(taint.effect)}, TimeAdded:<nil>}`,
      });
    }
    seen.add(identity);
  });
  return errors;
}

function validateNode(node: Node): FieldError[] {
  const errors = validateObjectMeta(node.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  errors.push(...validateTaints(node.spec?.taints));
  return errors;
}

/** upstream findNodeRoles: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith("node-role.kubernetes.io/")) {
      const role = key.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (key === "kubernetes.io/role" && value) {
      roles.add(value);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((address) => address.type === type)?.address ?? "<none>";
}

export const nodes: ResourceDefinition<Node> = {
  group: "",
  versions: ["v1"],
  resource: "nodes",
  kind: "Node",
  singular: "node",
  namespaced: false,
  shortNames: ["no"],
  storagePrefix: "minions",
  subresources: { status: true },
  strategy: {
    defaults(node) {
      // SetDefaults_NodeStatus: allocatable defaults to capacity.
      if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
    },
    prepareForUpdate(node, old) {
      if (old.status === undefined) delete node.status;
      else node.status = structuredClone(old.status);
    },
    validate: validateNode,
    validateUpdate(node, old) {
      const errors = validateNode(node);
      const oldCidr = old.spec?.podCIDR;
      if (oldCidr && node.spec?.podCIDR !== oldCidr) {
        errors.push({
          type: "FieldValueForbidden",
          field: "spec.podCIDR",
          detail: 'node updates may not change podCIDR except from "" to valid',
        });
      }
      return errors;
    },
    status: {
      prepareForUpdate(node, old) {
        node.spec = structuredClone(old.spec);
      },
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Status", "string", "The status of the node"),
      column("Roles", "string", "The roles of the node"),
      ageColumn(),
      column("Version", "string", ["V1NodeSystemInfo", "kubeletVersion"]),
      column("Internal-IP", "string", ["V1NodeStatus", "addresses"], 1),
      column("External-IP", "string", ["V1NodeStatus", "addresses"], 1),
      column("OS-Image", "string", ["V1NodeSystemInfo", "osImage"], 1),
      column("Kernel-Version", "string", ["V1NodeSystemInfo", "kernelVersion"], 1),
      column("Container-Runtime", "string", ["V1NodeSystemInfo", "containerRuntimeVersion"], 1),
    ],
    cells(node, now) {
      const status: string[] = [];
      const ready = node.status?.conditions?.find((condition) => condition.type === "Ready");
      if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
      if (status.length === 0) status.push("Unknown");
      if (node.spec?.unschedulable) status.push("SchedulingDisabled");
      const roles = nodeRoles(node).join(",");
      const info = node.status?.nodeInfo;
      return [
        node.metadata.name ?? "",
        status.join(","),
        roles || "<none>",
        translateTimestampSince(node.metadata.creationTimestamp, now),
        info?.kubeletVersion ?? "",
        nodeAddress(node, "InternalIP"),
        nodeAddress(node, "ExternalIP"),
        info?.osImage || "<unknown>",
        info?.kernelVersion || "<unknown>",
        info?.containerRuntimeVersion || "<unknown>",
      ];
    },
  },
  selectableFields: { "spec.unschedulable": (node) => String(node.spec?.unschedulable === true) },
  // Upstream's node storage: TriggerFunc {"metadata.name": NameTriggerFunc}.
  watchTriggers: ["metadata.name"],
  schema: kindSchema("", "v1", "Node"),
  schemaComponents,
};
