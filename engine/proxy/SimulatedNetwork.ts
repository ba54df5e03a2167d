import type { Clock } from "../clock/Clock";
import { candidateNames, clusterDnsIp, clusterFirstResolvConf, lookup, type ResolverConfig } from "./ClusterDns";
import { HttpOverBytes } from "./httpOverBytes";
import {
  type Connection,
  type ConnectionHandler,
  type ConnectOptions,
  type DnsAnswer,
  type HttpResponse,
  type Network,
  NetworkError,
  type NetworkSource,
  type NodeIptables,
} from "./Network";
import { NetworkPolicies, type PolicyEndpoint } from "./NetworkPolicies";
import { type EndpointInfo, type ServicePortInfo, type ServiceTable, usableEndpoints } from "./ServiceTable";

/** Linux gives up an unanswered connect() after about 130 s of SYN retries. */
export const defaultConnectTimeoutMs = 130_000;

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Where kube-proxy's rules sent a connection. */
type Route =
  | { kind: "deliver"; ip: string; port: number; masqueradeAs?: string; service?: ServicePortInfo }
  | { kind: "refused"; reason: string }
  | { kind: "dropped"; reason: string };

/**
 * The cluster's network as packets see it: apps listen on pod (or node) IPs; a connection to a
 * ClusterIP, NodePort, external or load-balancer IP goes through the same decisions kube-proxy's
 * iptables rules make (REJECT when a service has no endpoints, a random ready endpoint otherwise,
 * ClientIP affinity through `recent`, Local traffic policies, masquerading), then to the app on
 * the endpoint. A reachable host without a listener refuses; an unknown address times out.
 */
export class SimulatedNetwork implements Network {
  private readonly listeners = new Map<string, ConnectionHandler>();
  /** IPs with at least one listener (a host that exists even if no pod record names it). */
  private readonly listeningIps = new Map<string, number>();
  /** ClientIP affinity: `servicePortName|clientIP` → endpoint and expiry. */
  private readonly affinity = new Map<string, { endpoint: string; expires: number }>();
  private ephemeralPort = 32768;
  private readonly reachabilityWatchers = new Set<() => void>();

  constructor(
    private readonly table: ServiceTable,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
    /** NetworkPolicies to enforce (none: everything is allowed, as with a non-enforcing CNI). */
    private readonly policies: NetworkPolicies = new NetworkPolicies(),
  ) {}

  /** Set by createNetwork: renders kube-proxy's rules for a node. */
  iptablesProvider?: (nodeName: string) => NodeIptables;

  iptables(nodeName: string): NodeIptables {
    if (!this.iptablesProvider) throw new Error("no kube-proxy rules attached to this network");
    return this.iptablesProvider(nodeName);
  }

  listen(ip: string, port: number, handler: ConnectionHandler): () => void {
    const key = `${ip}:${port}`;
    if (this.listeners.has(key)) {
      throw Object.assign(new Error(`listen tcp ${key}: bind: address already in use`), { code: "EADDRINUSE" });
    }
    this.listeners.set(key, handler);
    this.listeningIps.set(ip, (this.listeningIps.get(ip) ?? 0) + 1);
    this.reachabilityChanged();
    let disposed = false;
    return () => {
      if (disposed) return;
      disposed = true;
      if (this.listeners.get(key) === handler) this.listeners.delete(key);
      const count = (this.listeningIps.get(ip) ?? 1) - 1;
      if (count <= 0) this.listeningIps.delete(ip);
      else this.listeningIps.set(ip, count);
      this.reachabilityChanged();
    };
  }

  onReachabilityChanged(callback: () => void): () => void {
    this.reachabilityWatchers.add(callback);
    return () => this.reachabilityWatchers.delete(callback);
  }

  /** A listener or a NetworkPolicy changed (createNetwork calls this for policies). */
  reachabilityChanged(): void {
    for (const callback of [...this.reachabilityWatchers]) callback();
  }

  async connect(source: NetworkSource, host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    const started = this.clock.now();
    let ip = host === "localhost" ? "127.0.0.1" : host.replace(/^\[|\]$/g, "");
    if (!ipv4.test(ip)) {
      const answer = await this.resolve(source, host);
      ip = answer.addresses[0];
    }
    // Loopback stays inside the pod's network namespace (or the node's, for host-network sources).
    if (ip.startsWith("127.")) ip = source.ip;
    const route = this.route(source, ip, port);
    if (route.kind === "refused") {
      throw new NetworkError("ConnectionRefused", failedToConnect(host, port, this.clock.now() - started));
    }
    if (route.kind === "dropped") {
      await this.wait(options.timeoutMs ?? defaultConnectTimeoutMs);
      throw new NetworkError("Timeout", failedToConnect(host, port, this.clock.now() - started));
    }
    // NetworkPolicy sees the pods at both ends after DNAT, and the client as it was before SNAT.
    if (
      !this.policies.empty &&
      !this.policies.allows(this.endpoint(source.ip), this.endpoint(route.ip), route.port, "TCP")
    ) {
      await this.wait(options.timeoutMs ?? defaultConnectTimeoutMs);
      throw new NetworkError("Timeout", failedToConnect(host, port, this.clock.now() - started));
    }
    const handler = this.listeners.get(`${route.ip}:${route.port}`);
    if (!handler) {
      if (this.hostExists(route.ip)) {
        throw new NetworkError("ConnectionRefused", failedToConnect(host, port, this.clock.now() - started));
      }
      await this.wait(options.timeoutMs ?? defaultConnectTimeoutMs);
      throw new NetworkError("Timeout", failedToConnect(host, port, this.clock.now() - started));
    }
    const peer = { ip: route.masqueradeAs ?? source.ip, port: this.nextEphemeralPort() };
    let closed = false;
    let httpBytes: HttpOverBytes | undefined;
    const ensureOpen = () => {
      if (closed) throw new NetworkError("ConnectionRefused", "connection closed");
    };
    return {
      remote: { ip: route.ip, port: route.port },
      http: async (request) => {
        ensureOpen();
        if (!handler.http) throw new NetworkError("EmptyReply", "Empty reply from server");
        return handler.http(request, peer);
      },
      tcp: async (data) => {
        ensureOpen();
        if (handler.tcp) return handler.tcp(data, peer);
        if (!handler.http) throw new NetworkError("EmptyReply", "Empty reply from server");
        // Raw bytes to an HTTP app (port-forward): HTTP/1.1 requests in, responses out.
        httpBytes ??= new HttpOverBytes((request) => handler.http?.(request, peer) as Promise<HttpResponse>);
        return httpBytes.receive(data);
      },
      close: () => {
        closed = true;
      },
      ...(handler.tls ? { tls: handler.tls } : {}),
    };
  }

  async resolve(source: NetworkSource, name: string): Promise<DnsAnswer> {
    const config: ResolverConfig | undefined =
      source.resolvConf ?? (source.namespace ? clusterFirstResolvConf(source.namespace) : undefined);
    const server = config?.nameservers[0] ?? "127.0.0.53";
    if (ipv4.test(name)) return { name, addresses: [name], server };
    // The query travels to the nameserver like any packet: kube-dns without ready endpoints times out.
    const usesClusterDns = config !== undefined && this.dnsReachable(source, server);
    if (config && config.nameservers.length > 0 && this.table.isClusterIp(server) && !usesClusterDns) {
      await this.wait(15_000);
      throw new NetworkError("Timeout", ";; connection timed out; no servers could be reached");
    }
    if (usesClusterDns && config) {
      for (const candidate of candidateNames(name, config)) {
        const record = lookup(this.table, candidate);
        if (record && (record.addresses.length > 0 || record.cname)) {
          return { name: record.name, addresses: record.addresses, server, cname: record.cname };
        }
      }
    }
    throw new NetworkError("NameNotResolved", `Could not resolve host: ${name}`);
  }

  /** Is cluster DNS (the service behind `server`) answering for this source? */
  private dnsReachable(source: NetworkSource, server: string): boolean {
    const service = this.table.byClusterIp(server, 53, "UDP") ?? this.table.byClusterIp(server, 53, "TCP");
    if (!service) return false;
    const node = this.nodeOf(source.ip);
    const endpoints = usableEndpoints(service, service.internalPolicyLocal, node);
    if (this.policies.empty) return endpoints.length > 0;
    // A default-deny egress policy silences DNS too, unless port 53 to CoreDNS is allowed.
    const from = this.endpoint(source.ip);
    return endpoints.some((e) => this.policies.allows(from, this.endpoint(e.ip), e.port, service.protocol));
  }

  private endpoint(ip: string): PolicyEndpoint {
    const pod = this.table.podsByIp.get(ip);
    return { ip, pod, isNode: !pod && this.table.nodeOfIp(ip) !== undefined };
  }

  /** kube-proxy's decision for a packet to `ip:port` from `source`. */
  private route(source: NetworkSource, ip: string, port: number): Route {
    const sourceNode = this.nodeOf(source.ip);
    const clusterService = this.table.byClusterIp(ip, port);
    if (clusterService) {
      const endpoints = usableEndpoints(clusterService, clusterService.internalPolicyLocal, sourceNode);
      if (endpoints.length === 0) {
        return clusterService.internalPolicyLocal && usableEndpoints(clusterService, false, sourceNode).length > 0
          ? { kind: "dropped", reason: "no local endpoints" }
          : { kind: "refused", reason: "has no endpoints" };
      }
      const endpoint = this.pick(clusterService, endpoints, source.ip);
      // Hairpin: a pod reaching itself through its service is masqueraded (KUBE-SEP's -s rule).
      const masqueradeAs = endpoint.ip === source.ip && sourceNode ? this.table.nodeInternalIp(sourceNode) : undefined;
      return { kind: "deliver", ip: endpoint.ip, port: endpoint.port, masqueradeAs, service: clusterService };
    }
    if (this.table.isClusterIp(ip)) return { kind: "dropped", reason: "no service port" };

    const externalService = this.table.byExternalIp(ip, port);
    if (externalService) return this.external(externalService, sourceNode, source);
    if (this.table.isExternalIp(ip)) return { kind: "dropped", reason: "no service port" };

    const destinationNode = this.table.nodeOfIp(ip);
    if (destinationNode) {
      const nodePortService = this.table.byNodePort(port);
      if (nodePortService && !this.listeners.has(`${ip}:${port}`)) {
        return this.external(nodePortService, destinationNode, source, ip);
      }
    }
    return { kind: "deliver", ip, port };
  }

  /** NodePort / external IP / load balancer traffic handled by kube-proxy on `node`. */
  private external(service: ServicePortInfo, node: string | undefined, source: NetworkSource, nodeIp?: string): Route {
    const endpoints = usableEndpoints(service, service.externalPolicyLocal, node);
    if (endpoints.length === 0) {
      // No endpoints at all: REJECT. Local policy with endpoints elsewhere only: kube-proxy DROPs.
      return service.externalPolicyLocal && usableEndpoints(service, false, node).length > 0
        ? { kind: "dropped", reason: "no local endpoints" }
        : { kind: "refused", reason: "has no endpoints" };
    }
    const endpoint = this.pick(service, endpoints, source.ip);
    // Cluster policy masquerades external traffic to the node's IP; Local keeps the client's address.
    const masqueradeAs = service.externalPolicyLocal
      ? undefined
      : (nodeIp ?? (node ? this.table.nodeInternalIp(node) : undefined));
    return { kind: "deliver", ip: endpoint.ip, port: endpoint.port, masqueradeAs, service };
  }

  /** A random endpoint (the `statistic` cascade), or the client's remembered one under ClientIP affinity. */
  private pick(service: ServicePortInfo, endpoints: EndpointInfo[], clientIp: string): EndpointInfo {
    const now = this.clock.now();
    const key = `${service.servicePortName}|${clientIp}`;
    if (service.sessionAffinitySeconds !== undefined) {
      const remembered = this.affinity.get(key);
      if (remembered && remembered.expires > now) {
        const endpoint = endpoints.find((e) => e.address === remembered.endpoint);
        if (endpoint) {
          remembered.expires = now + service.sessionAffinitySeconds * 1000;
          return endpoint;
        }
      }
    }
    const endpoint = endpoints[Math.min(endpoints.length - 1, Math.floor(this.random() * endpoints.length))];
    if (service.sessionAffinitySeconds !== undefined) {
      if (this.affinity.size > 100_000) this.pruneAffinity(now);
      this.affinity.set(key, { endpoint: endpoint.address, expires: now + service.sessionAffinitySeconds * 1000 });
    }
    return endpoint;
  }

  private pruneAffinity(now: number) {
    for (const [key, entry] of this.affinity) if (entry.expires <= now) this.affinity.delete(key);
  }

  /** The node a source lives on: its pod's node, or the node owning a host IP. */
  private nodeOf(ip: string): string | undefined {
    return this.table.podsByIp.get(ip)?.nodeName ?? this.table.nodeOfIp(ip);
  }

  /** Does anything answer at this address (a running pod, a node, a listener)? */
  private hostExists(ip: string): boolean {
    return this.listeningIps.has(ip) || this.table.podsByIp.has(ip) || this.table.nodeOfIp(ip) !== undefined;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, resolve));
  }

  private nextEphemeralPort(): number {
    this.ephemeralPort = this.ephemeralPort >= 60999 ? 32768 : this.ephemeralPort + 1;
    return this.ephemeralPort;
  }
}

/** curl's wording for a failed connect. */
function failedToConnect(host: string, port: number, elapsedMs: number): string {
  return `Failed to connect to ${host} port ${port} after ${elapsedMs} ms: Couldn't connect to server`;
}

export { clusterDnsIp };
