import type { IntOrString, Node, Pod, Service } from "../api/core";
import type { EndpointSlice } from "../api/discovery";

/** One endpoint of a service port, from an EndpointSlice (`proxy.Endpoint`). */
export interface EndpointInfo {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  hostname?: string;
  /** `ip:port`. */
  address: string;
}

/** One port of one Service, as kube-proxy's ServicePortInfo. */
export interface ServicePortInfo {
  namespace: string;
  name: string;
  portName: string;
  /** `namespace/name:portName` (no `:portName` for an unnamed port): chain hashes and comments. */
  servicePortName: string;
  protocol: string;
  port: number;
  targetPort?: IntOrString;
  nodePort?: number;
  type: string;
  clusterIPs: string[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  sessionAffinitySeconds?: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  /** Every endpoint the slices list for this port, sorted by address. */
  endpoints: EndpointInfo[];
}

/** The Pod facts the network needs: where an IP lives and in which namespace. */
export interface PodAddress {
  ip: string;
  namespace: string;
  name: string;
  nodeName?: string;
  hostNetwork: boolean;
  hostname?: string;
  subdomain?: string;
  labels: Record<string, string>;
  /** Container ports, for NetworkPolicy's named ports. */
  ports: Array<{ name?: string; port: number; protocol: string }>;
}

/**
 * kube-proxy's (and CoreDNS's) view of Services: service ports with their endpoints, merged
 * from every EndpointSlice labelled `kubernetes.io/service-name`, plus node and pod addresses.
 * Rebuilt lazily: changes only mark the table dirty, so a burst of watch events costs one
 * rebuild when the next connection or dump needs it.
 */
export class ServiceTable {
  readonly services = new Map<string, Service>();
  /** Service key → slice name → slice. */
  readonly slices = new Map<string, Map<string, EndpointSlice>>();
  readonly nodes = new Map<string, Node>();
  readonly podsByIp = new Map<string, PodAddress>();
  private readonly podIpByKey = new Map<string, string>();
  private built?: {
    ports: ServicePortInfo[];
    byClusterIp: Map<string, ServicePortInfo[]>;
    byNodePort: Map<string, ServicePortInfo>;
    byExternalIp: Map<string, ServicePortInfo[]>;
    nodeIps: Map<string, string>;
  };
  /** Incremented on every change, so callers can cache derived data (dumps). */
  generation = 0;

  changed() {
    this.built = undefined;
    this.generation++;
  }

  setService(service: Service | undefined, key: string) {
    if (service) this.services.set(key, service);
    else this.services.delete(key);
    this.changed();
  }

  setSlice(slice: EndpointSlice, present: boolean) {
    const serviceName = slice.metadata.labels?.["kubernetes.io/service-name"];
    if (!serviceName) return;
    const key = `${slice.metadata.namespace}/${serviceName}`;
    let byName = this.slices.get(key);
    if (!byName) {
      byName = new Map();
      this.slices.set(key, byName);
    }
    if (present) byName.set(slice.metadata.name ?? "", slice);
    else byName.delete(slice.metadata.name ?? "");
    if (byName.size === 0) this.slices.delete(key);
    this.changed();
  }

  setNode(node: Node, present: boolean) {
    if (present) this.nodes.set(node.metadata.name ?? "", node);
    else this.nodes.delete(node.metadata.name ?? "");
    this.changed();
  }

  setPod(pod: Pod, present: boolean) {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const previous = this.podIpByKey.get(key);
    const ip = pod.status?.podIP;
    const live = present && ip && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
    if (previous && (!live || previous !== ip)) {
      if (this.podsByIp.get(previous)?.name === pod.metadata.name) this.podsByIp.delete(previous);
      this.podIpByKey.delete(key);
    }
    if (live && ip) {
      this.podIpByKey.set(key, ip);
      this.podsByIp.set(ip, {
        ip,
        namespace: pod.metadata.namespace ?? "default",
        name: pod.metadata.name ?? "",
        nodeName: pod.spec?.nodeName,
        hostNetwork: pod.spec?.hostNetwork === true,
        hostname: pod.spec?.hostname,
        subdomain: pod.spec?.subdomain,
        labels: pod.metadata.labels ?? {},
        ports: [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((container) =>
          (container.ports ?? []).map((p) => ({ name: p.name, port: p.containerPort, protocol: p.protocol ?? "TCP" })),
        ),
      });
    }
  }

  private build() {
    if (this.built) return this.built;
    const ports: ServicePortInfo[] = [];
    const byClusterIp = new Map<string, ServicePortInfo[]>();
    const byNodePort = new Map<string, ServicePortInfo>();
    const byExternalIp = new Map<string, ServicePortInfo[]>();
    const nodeIps = new Map<string, string>();
    for (const [name, node] of this.nodes) {
      for (const address of node.status?.addresses ?? []) {
        if (address.type === "InternalIP" || address.type === "ExternalIP") nodeIps.set(address.address, name);
      }
    }
    const sortedKeys = [...this.services.keys()].sort();
    for (const key of sortedKeys) {
      const service = this.services.get(key) as Service;
      const spec = service.spec ?? {};
      const type = spec.type ?? "ClusterIP";
      // `ShouldSkipService`: ExternalName and headless services get no rules (DNS alone serves them).
      if (type === "ExternalName" || spec.clusterIP === "None") continue;
      const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(
        (ip) => ip && ip !== "None",
      );
      const slices = [...(this.slices.get(key)?.values() ?? [])];
      for (const servicePort of spec.ports ?? []) {
        const portName = servicePort.name ?? "";
        const protocol = servicePort.protocol ?? "TCP";
        const info: ServicePortInfo = {
          namespace: service.metadata.namespace ?? "default",
          name: service.metadata.name ?? "",
          portName,
          servicePortName: `${key}${portName ? `:${portName}` : ""}`,
          protocol,
          port: servicePort.port,
          targetPort: servicePort.targetPort,
          nodePort: type === "NodePort" || type === "LoadBalancer" ? servicePort.nodePort : undefined,
          type,
          clusterIPs,
          externalIPs: spec.externalIPs ?? [],
          loadBalancerIPs:
            type === "LoadBalancer"
              ? (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip)
              : [],
          sessionAffinitySeconds:
            spec.sessionAffinity === "ClientIP"
              ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800)
              : undefined,
          externalPolicyLocal: spec.externalTrafficPolicy === "Local",
          internalPolicyLocal: spec.internalTrafficPolicy === "Local",
          endpoints: endpointsFor(slices, portName, protocol),
        };
        ports.push(info);
        for (const ip of clusterIPs) push(byClusterIp, ip, info);
        for (const ip of [...info.externalIPs, ...info.loadBalancerIPs]) push(byExternalIp, ip, info);
        if (info.nodePort) byNodePort.set(`${protocol}/${info.nodePort}`, info);
      }
    }
    this.built = { ports, byClusterIp, byNodePort, byExternalIp, nodeIps };
    return this.built;
  }

  /** Every service port with a cluster IP, NodePort or external address, in service-key order. */
  servicePorts(): ServicePortInfo[] {
    return this.build().ports;
  }

  /** The service port answering on a ClusterIP:port, if any. */
  byClusterIp(ip: string, port: number, protocol = "TCP"): ServicePortInfo | undefined {
    return this.build()
      .byClusterIp.get(ip)
      ?.find((p) => p.port === port && p.protocol === protocol);
  }

  /** Does any Service own this ClusterIP (on any port)? */
  isClusterIp(ip: string): boolean {
    return this.build().byClusterIp.has(ip);
  }

  byNodePort(port: number, protocol = "TCP"): ServicePortInfo | undefined {
    return this.build().byNodePort.get(`${protocol}/${port}`);
  }

  byExternalIp(ip: string, port: number, protocol = "TCP"): ServicePortInfo | undefined {
    return this.build()
      .byExternalIp.get(ip)
      ?.find((p) => p.port === port && p.protocol === protocol);
  }

  isExternalIp(ip: string): boolean {
    return this.build().byExternalIp.has(ip);
  }

  /** The node that owns an InternalIP/ExternalIP address. */
  nodeOfIp(ip: string): string | undefined {
    return this.build().nodeIps.get(ip);
  }

  nodeInternalIp(nodeName: string): string | undefined {
    const node = this.nodes.get(nodeName);
    return node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Endpoints for one service port: slice ports match by name and protocol (named targetPorts arrive resolved). */
function endpointsFor(slices: EndpointSlice[], portName: string, protocol: string): EndpointInfo[] {
  const seen = new Map<string, EndpointInfo>();
  for (const slice of slices) {
    if (slice.addressType === "FQDN") continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol);
    if (!port?.port) continue;
    for (const endpoint of slice.endpoints ?? []) {
      const ip = endpoint.addresses?.[0];
      if (!ip) continue;
      const conditions = endpoint.conditions ?? {};
      // An unset `ready` means unknown, which consumers treat as ready; `serving` defaults to ready.
      const ready = conditions.ready ?? true;
      const info: EndpointInfo = {
        ip,
        port: port.port,
        ready,
        serving: conditions.serving ?? ready,
        terminating: conditions.terminating ?? false,
        nodeName: endpoint.nodeName,
        hostname: endpoint.hostname,
        address: `${ip}:${port.port}`,
      };
      seen.set(info.address, info);
    }
  }
  return [...seen.values()].sort((a, b) => compareAddress(a.ip, b.ip) || a.port - b.port);
}

/** Numeric IPv4 order (10.244.1.10 after 10.244.1.9). */
function compareAddress(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * kube-proxy's `CategorizeEndpoints`: the ready endpoints (on this node only, for a Local
 * policy); when none is ready, serving-but-terminating ones, so connections drain gracefully.
 */
export function usableEndpoints(port: ServicePortInfo, local: boolean, nodeName: string | undefined): EndpointInfo[] {
  const candidates = local ? port.endpoints.filter((e) => e.nodeName === nodeName) : port.endpoints;
  const ready = candidates.filter((e) => e.ready && !e.terminating);
  if (ready.length > 0) return ready;
  return candidates.filter((e) => e.serving && e.terminating);
}
