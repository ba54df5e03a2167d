/** networking.k8s.io/v1 networkpolicies: SetDefaults_NetworkPolicy, ValidateNetworkPolicy and printNetworkPolicy. */
import type { NetworkPolicy, NetworkPolicyPort } from "../../../api/networking";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, formatLabelSelector, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  isValidPortName,
  isValidPortNumber,
  nameIsDnsSubdomain,
  notSupported,
  validateLabelSelector,
  validateObjectMeta,
} from "../support/validation";

function validatePorts(ports: NetworkPolicyPort[] | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  (ports ?? []).forEach((port, index) => {
    const path = `${field}[${index}]`;
    if (port.protocol && !["SCTP", "TCP", "UDP"].includes(port.protocol)) {
      errors.push(notSupported(`${path}.protocol`, port.protocol, ["SCTP", "TCP", "UDP"]));
    }
    if (typeof port.port === "number")
      for (const message of isValidPortNumber(port.port)) errors.push(invalid(`${path}.port`, port.port, message));
    if (typeof port.port === "string")
      for (const message of isValidPortName(port.port)) errors.push(invalid(`${path}.port`, port.port, message));
    if (port.endPort !== undefined && typeof port.port === "number" && port.endPort < port.port) {
      errors.push(invalid(`${path}.endPort`, port.endPort, "must be greater than or equal to `port`"));
    }
  });
  return errors;
}

function validateNetworkPolicy(policy: NetworkPolicy): FieldError[] {
  const errors = validateObjectMeta(policy.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = policy.spec;
  if (!spec) return errors;
  errors.push(...validateLabelSelector(spec.podSelector, "spec.podSelector"));
  (spec.ingress ?? []).forEach((rule, index) => {
    errors.push(...validatePorts(rule.ports, `spec.ingress[${index}].ports`));
    (rule.from ?? []).forEach((peer, peerIndex) => {
      errors.push(...validateLabelSelector(peer.podSelector, `spec.ingress[${index}].from[${peerIndex}].podSelector`));
      errors.push(
        ...validateLabelSelector(peer.namespaceSelector, `spec.ingress[${index}].from[${peerIndex}].namespaceSelector`),
      );
    });
  });
  (spec.egress ?? []).forEach((rule, index) => {
    errors.push(...validatePorts(rule.ports, `spec.egress[${index}].ports`));
  });
  const types = ["Egress", "Ingress"];
  (spec.policyTypes ?? []).forEach((type, index) => {
    if (!types.includes(type)) errors.push(notSupported(`spec.policyTypes[${index}]`, type, types));
  });
  return errors;
}

export const networkPolicies: ResourceDefinition<NetworkPolicy> = {
  group: "networking.k8s.io",
  versions: ["v1"],
  resource: "networkpolicies",
  kind: "NetworkPolicy",
  singular: "networkpolicy",
  namespaced: true,
  shortNames: ["netpol"],
  storagePrefix: "networkpolicies",
  strategy: specStatusStrategy<NetworkPolicy>({
    defaults(policy) {
      policy.spec ??= { podSelector: {} };
      const spec = policy.spec;
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
        for (const port of rule.ports ?? []) port.protocol ||= "TCP";
      }
      if (!spec.policyTypes || spec.policyTypes.length === 0) {
        // A policy without types is an ingress policy, and an egress one too if it has egress rules.
        spec.policyTypes = spec.egress && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
      }
    },
    validate: validateNetworkPolicy,
    validateUpdate: validateNetworkPolicy,
  }),
  table: {
    columns: [nameColumn(), column("Pod-Selector", "string", ["V1NetworkPolicySpec", "podSelector"]), ageColumn()],
    cells: (policy, now) => [
      policy.metadata.name ?? "",
      formatLabelSelector(policy.spec?.podSelector ?? {}),
      translateTimestampSince(policy.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("networking.k8s.io", "v1", "NetworkPolicy"),
  schemaComponents,
};
