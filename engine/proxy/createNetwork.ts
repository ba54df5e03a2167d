import type { Node, Pod, Service } from "../api/core";
import type { EndpointSlice } from "../api/discovery";
import type { NetworkPolicy } from "../api/networking";
import {
  EndpointSlices,
  Namespaces,
  NetworkPolicies as NetworkPolicyResource,
  Nodes,
  Pods,
  Services,
} from "../api/resources";
import type { GroupVersionResource, KubeObject } from "../api/types";
import { type EventHandlers, Informer } from "../client/informers";
import type { Component, ComponentContext } from "../cluster/Component";
import { buildNodeRules, listTable, type NodeRules, saveTable } from "./iptables";
import type { Network } from "./Network";
import { NetworkPolicies } from "./NetworkPolicies";
import { ServiceTable } from "./ServiceTable";
import { SimulatedNetwork } from "./SimulatedNetwork";

export interface NetworkOptions {
  /** The pod network CIDR (kubeadm's `--pod-network-cidr`), used in the masquerade rule. */
  clusterCidr?: string;
  /** Randomness for endpoint choice (tests pass a seeded one). */
  random?: () => number;
}

/** kube-proxy's per-node view for the node shell. */
export interface KubeProxyRules {
  /** `iptables-save` on `nodeName` (filter and nat tables). */
  iptablesSave(nodeName: string): string;
  /** `iptables -t <table> -L [chain] -n` on `nodeName`. */
  iptablesList(nodeName: string, table?: "filter" | "nat", chain?: string): string;
  /** The structured rules, for tests and tools. */
  rules(nodeName: string): NodeRules;
}

/** The cluster network: the {@link Network} the runtime uses, kube-proxy's rules, and the component that feeds them. */
export interface ClusterNetwork {
  network: Network;
  kubeProxy: KubeProxyRules;
  component: Component;
  /** Resolves once Services, EndpointSlices, Nodes and Pods have been listed. */
  synced: Promise<void>;
}

/**
 * Creates the simulated network of one cluster and starts the component that watches Services,
 * EndpointSlices, Nodes and Pods (as every node's kube-proxy and CoreDNS do), and NetworkPolicies
 * and Namespaces (as a policy-enforcing CNI does), to keep routing, DNS and policy current.
 *
 * How the runtime gets it: the cluster calls `createNetwork(ctx)` once, before the kubelets, and
 * passes `clusterNetwork.network` to every kubelet (`KubeletOptions.network`), which hands it to
 * the container runtime; apps `listen` on their pod IP, and curl/wget/nslookup in containers call
 * `connect`/`resolve` with the pod's NetworkSource (IP, namespace, resolv.conf).
 *
 * Idle cost: nothing but watch handlers; state is rebuilt lazily on the next connection or dump.
 */
export function createNetwork(ctx: ComponentContext, options: NetworkOptions = {}): ClusterNetwork {
  const table = new ServiceTable();
  const policies = new NetworkPolicies();
  const network = new SimulatedNetwork(table, ctx.clock, options.random, policies);
  const clusterCidr = options.clusterCidr ?? "10.244.0.0/16";
  const informers: Informer[] = [];
  const disposers: Array<() => void> = [];
  const watch = <T extends KubeObject>(gvr: GroupVersionResource, handlers: EventHandlers<T>) => {
    const informer = new Informer<T>(ctx.client, ctx.clock, gvr);
    disposers.push(informer.addHandlers(handlers));
    informers.push(informer as unknown as Informer);
    informer.start();
  };
  const key = (object: KubeObject) => `${object.metadata.namespace}/${object.metadata.name}`;
  watch<Service>(Services, {
    add: (service) => table.setService(service, key(service)),
    update: (_old, service) => table.setService(service, key(service)),
    delete: (service) => table.setService(undefined, key(service)),
  });
  watch<EndpointSlice>(EndpointSlices, {
    add: (slice) => table.setSlice(slice, true),
    update: (old, slice) => {
      table.setSlice(old, false);
      table.setSlice(slice, true);
    },
    delete: (slice) => table.setSlice(slice, false),
  });
  watch<Node>(Nodes, {
    add: (node) => table.setNode(node, true),
    update: (old, node) => {
      if (JSON.stringify(old.status?.addresses) !== JSON.stringify(node.status?.addresses)) table.setNode(node, true);
      else table.nodes.set(node.metadata.name ?? "", node);
    },
    delete: (node) => table.setNode(node, false),
  });
  // What a pod can reach changes with policies (and, while any exist, with the labels they select on).
  const policyInputChanged = (always: boolean) => {
    if (always || !policies.empty) network.reachabilityChanged();
  };
  watch<NetworkPolicy>(NetworkPolicyResource, {
    add: (policy) => {
      policies.policies.set(key(policy), policy);
      policyInputChanged(true);
    },
    update: (_old, policy) => {
      policies.policies.set(key(policy), policy);
      policyInputChanged(true);
    },
    delete: (policy) => {
      policies.policies.delete(key(policy));
      policyInputChanged(true);
    },
  });
  watch<KubeObject>(Namespaces, {
    add: (namespace) => {
      policies.namespaceLabels.set(namespace.metadata.name ?? "", namespace.metadata.labels ?? {});
      policyInputChanged(false);
    },
    update: (_old, namespace) => {
      policies.namespaceLabels.set(namespace.metadata.name ?? "", namespace.metadata.labels ?? {});
      policyInputChanged(false);
    },
    delete: (namespace) => policies.namespaceLabels.delete(namespace.metadata.name ?? ""),
  });
  watch<Pod>(Pods, {
    add: (pod) => table.setPod(pod, true),
    update: (old, pod) => {
      table.setPod(pod, true);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) policyInputChanged(false);
    },
    delete: (pod) => table.setPod(pod, false),
  });

  const cache = new Map<string, { generation: number; rules: NodeRules }>();
  const rules = (nodeName: string): NodeRules => {
    const cached = cache.get(nodeName);
    if (cached && cached.generation === table.generation) return cached.rules;
    const built = buildNodeRules(table, nodeName, { clusterCidr });
    cache.set(nodeName, { generation: table.generation, rules: built });
    return built;
  };
  const kubeProxy: KubeProxyRules = {
    rules,
    iptablesSave(nodeName) {
      const built = rules(nodeName);
      const stamp = ctime(ctx.clock.now());
      const block = (name: "filter" | "nat") =>
        `# Generated by iptables-save v1.8.9 (nf_tables) on ${stamp}\n${saveTable(name, built[name])}\n# Completed on ${stamp}`;
      return `${block("filter")}\n${block("nat")}\n`;
    },
    iptablesList(nodeName, tableName = "filter", chain) {
      return listTable(rules(nodeName)[tableName], chain);
    },
  };
  network.iptablesProvider = (nodeName) => ({
    save: () => kubeProxy.iptablesSave(nodeName),
    list: (tableName, chain) => kubeProxy.iptablesList(nodeName, tableName, chain),
  });
  return {
    network,
    kubeProxy,
    synced: Promise.all(informers.map((informer) => informer.waitForSync())).then(() => undefined),
    component: {
      stop() {
        for (const dispose of disposers) dispose();
        for (const informer of informers) informer.stop();
      },
    },
  };
}

/** C's ctime() format, which iptables-save stamps its output with: `Mon Nov 30 06:00:00 2026`. */
function ctime(ms: number): string {
  const date = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, " ")} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

/** What the kube-proxy starter needs from the cluster (a structural slice of ClusterHandle). */
export interface KubeProxyHost {
  context(component: string, username: string, groups?: string[]): ComponentContext;
  network?: Network;
  kubeProxy?: KubeProxyRules;
}

/**
 * The cluster's kube-proxy component (the one starter in engine/cluster/components.ts): creates
 * the network before the kubelets start, so they find it on `cluster.network`, and publishes the
 * per-node rules on `cluster.kubeProxy`. The per-node kube-proxy pods of the DaemonSet are the
 * kubelets' business; the rules they would write are computed here, once for the cluster.
 */
export function startKubeProxy(cluster: KubeProxyHost, options: NetworkOptions = {}): Component {
  const clusterNetwork = createNetwork(
    cluster.context("kube-proxy", "system:kube-proxy", ["system:node-proxier"]),
    options,
  );
  cluster.network = clusterNetwork.network;
  cluster.kubeProxy = clusterNetwork.kubeProxy;
  return clusterNetwork.component;
}
