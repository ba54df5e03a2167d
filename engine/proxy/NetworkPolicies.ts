import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "../api/networking";
import type { LabelSelector } from "../api/types";
import type { PodAddress } from "./ServiceTable";

/** One end of a connection as policies see it: an IP and, when it is a pod's, the pod. */
export interface PolicyEndpoint {
  ip: string;
  pod?: PodAddress;
  /** A node's own address (host network): kubelet probes and node-local traffic are never blocked. */
  isNode?: boolean;
}

/**
 * NetworkPolicy enforcement as a policy-enforcing CNI (Calico, Cilium) applies it: a pod selected
 * by a policy of type Ingress (Egress) accepts (sends) only what one of the selecting policies'
 * rules allows; unselected pods are open. Peers are pods (podSelector in the policy's namespace,
 * namespaceSelector, or both ANDed) or ipBlocks; ports match by number, range (endPort) or the
 * destination container's port name. Traffic from a node's own address to its pods stays allowed,
 * so kubelet probes keep working. Denied packets are dropped: the client times out.
 */
export class NetworkPolicies {
  readonly policies = new Map<string, NetworkPolicy>();
  readonly namespaceLabels = new Map<string, Record<string, string>>();

  get empty(): boolean {
    return this.policies.size === 0;
  }

  allows(source: PolicyEndpoint, destination: PolicyEndpoint, port: number, protocol: string): boolean {
    if (this.policies.size === 0) return true;
    const destinationPod = destination.pod && !destination.pod.hostNetwork ? destination.pod : undefined;
    if (destinationPod && !source.isNode) {
      const selecting = this.selecting(destinationPod, "Ingress");
      if (selecting.length > 0) {
        const allowed = selecting.some((policy) =>
          (policy.spec?.ingress ?? []).some(
            (rule) =>
              this.portsMatch(rule.ports, port, protocol, destinationPod) &&
              this.peersMatch(rule.from, policy.metadata.namespace ?? "default", source),
          ),
        );
        if (!allowed) return false;
      }
    }
    const sourcePod = source.pod && !source.pod.hostNetwork ? source.pod : undefined;
    if (sourcePod) {
      const selecting = this.selecting(sourcePod, "Egress");
      if (selecting.length > 0) {
        const allowed = selecting.some((policy) =>
          (policy.spec?.egress ?? []).some(
            (rule) =>
              this.portsMatch(rule.ports, port, protocol, destination.pod) &&
              this.peersMatch(rule.to, policy.metadata.namespace ?? "default", destination),
          ),
        );
        if (!allowed) return false;
      }
    }
    return true;
  }

  /** Policies in the pod's namespace that select it and have the given type. */
  private selecting(pod: PodAddress, type: "Ingress" | "Egress"): NetworkPolicy[] {
    const result: NetworkPolicy[] = [];
    for (const policy of this.policies.values()) {
      if ((policy.metadata.namespace ?? "default") !== pod.namespace) continue;
      const spec = policy.spec;
      if (!spec) continue;
      const types = spec.policyTypes ?? (spec.egress !== undefined ? ["Ingress", "Egress"] : ["Ingress"]);
      if (!types.includes(type)) continue;
      if (selects(spec.podSelector ?? {}, pod.labels)) result.push(policy);
    }
    return result;
  }

  /** An absent or empty peer list allows everyone. */
  private peersMatch(peers: NetworkPolicyPeer[] | undefined, policyNamespace: string, other: PolicyEndpoint): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((peer) => this.peerMatches(peer, policyNamespace, other));
  }

  private peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, other: PolicyEndpoint): boolean {
    if (peer.ipBlock) {
      if (!inCidr(other.ip, peer.ipBlock.cidr)) return false;
      return !(peer.ipBlock.except ?? []).some((cidr) => inCidr(other.ip, cidr));
    }
    const pod = other.pod;
    if (!pod) return false;
    const namespaceOk = peer.namespaceSelector
      ? selects(
          peer.namespaceSelector,
          this.namespaceLabels.get(pod.namespace) ?? { "kubernetes.io/metadata.name": pod.namespace },
        )
      : pod.namespace === policyNamespace;
    if (!namespaceOk) return false;
    return peer.podSelector ? selects(peer.podSelector, pod.labels) : true;
  }

  /** An absent or empty port list allows every port. */
  private portsMatch(
    ports: NetworkPolicyPort[] | undefined,
    port: number,
    protocol: string,
    pod: PodAddress | undefined,
  ) {
    if (!ports || ports.length === 0) return true;
    return ports.some((rule) => {
      if ((rule.protocol ?? "TCP") !== protocol) return false;
      if (rule.port === undefined) return true;
      if (typeof rule.port === "number") {
        return rule.endPort !== undefined ? port >= rule.port && port <= rule.endPort : port === rule.port;
      }
      if (/^\d+$/.test(rule.port)) return Number(rule.port) === port;
      return (pod?.ports ?? []).some((p) => p.name === rule.port && p.port === port && p.protocol === protocol);
    });
  }
}

/** LabelSelector semantics: an empty selector selects everything. */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, requirement.key);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
        if (!has || !values.includes(labels[requirement.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[requirement.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function toNumber(ip: string): number {
  const parts = ip.split(".").map(Number);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^\d+\.\d+\.\d+\.\d+$/.test(base)) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (bits === 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return (toNumber(ip) & mask) === (toNumber(base) & mask);
}
