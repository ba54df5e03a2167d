import type { Service } from "../api/core";
import type { ServiceTable } from "./ServiceTable";

/** The cluster domain kubeadm configures (`--cluster-domain`). */
export const clusterDomain = "cluster.local";
/** kube-dns's ClusterIP in a kubeadm cluster (the 10th address of 10.96.0.0/12). */
export const clusterDnsIp = "10.96.0.10";

/** What a query for one fully qualified name returns: A records, a CNAME, or nothing (NXDOMAIN). */
export interface DnsRecord {
  name: string;
  addresses: string[];
  cname?: string;
}

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * CoreDNS's `kubernetes` plugin over the service table, for the zone `cluster.local`:
 * - `<svc>.<ns>.svc.cluster.local`: the ClusterIP; for a headless service the ready endpoints'
 *   IPs (all of them with publishNotReadyAddresses); for ExternalName a CNAME;
 * - `<hostname>.<svc>.<ns>.svc.cluster.local`: the endpoint with that hostname (StatefulSet pods
 *   behind their headless service), or with that dashed IP;
 * - `<a-b-c-d>.<ns>.pod.cluster.local`: a.b.c.d (`pods insecure`, kubeadm's default);
 * - anything else NXDOMAIN (the simulated cluster has no upstream internet).
 */
export function lookup(table: ServiceTable, fqdn: string): DnsRecord | undefined {
  const name = fqdn.toLowerCase().replace(/\.$/, "");
  const suffix = `.${clusterDomain}`;
  if (!name.endsWith(suffix)) return undefined;
  const labels = name.slice(0, -suffix.length).split(".");
  const kind = labels[labels.length - 1];
  if (kind === "pod" && labels.length === 3) {
    const ip = labels[0].replace(/-/g, ".");
    const match = ipv4.exec(ip);
    if (!match || match.slice(1).some((octet) => Number(octet) > 255)) return undefined;
    return { name, addresses: [ip] };
  }
  if (kind !== "svc" || (labels.length !== 3 && labels.length !== 4)) return undefined;
  const [host, serviceName, namespace] = labels.length === 4 ? labels : [undefined, ...labels];
  const service = table.services.get(`${namespace}/${serviceName}`);
  if (!service) return undefined;
  const spec = service.spec ?? {};
  if (spec.type === "ExternalName") {
    if (host !== undefined || !spec.externalName) return undefined;
    const target = spec.externalName.replace(/\.$/, "");
    return { name, cname: target, addresses: lookup(table, target)?.addresses ?? [] };
  }
  const headless = spec.clusterIP === "None";
  if (host === undefined && !headless) {
    const ips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((ip) => ip && ip !== "None");
    return ips.length > 0 ? { name, addresses: ips } : undefined;
  }
  const endpoints = headlessEndpoints(table, service);
  if (host === undefined) {
    const addresses = [...new Set(endpoints.map((e) => e.ip))];
    return addresses.length > 0 ? { name, addresses } : undefined;
  }
  if (!headless) return undefined;
  const match = endpoints.filter((e) => (e.hostname ?? e.ip.replace(/\./g, "-")) === host);
  return match.length > 0 ? { name, addresses: [...new Set(match.map((e) => e.ip))] } : undefined;
}

/** The endpoints a headless service publishes: ready ones, or every one with publishNotReadyAddresses. */
function headlessEndpoints(table: ServiceTable, service: Service) {
  const key = `${service.metadata.namespace}/${service.metadata.name}`;
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const result: Array<{ ip: string; hostname?: string }> = [];
  for (const slice of table.slices.get(key)?.values() ?? []) {
    if (slice.addressType === "FQDN") continue;
    for (const endpoint of slice.endpoints ?? []) {
      const ready = endpoint.conditions?.ready ?? true;
      if (!ready && !publishNotReady) continue;
      for (const ip of endpoint.addresses ?? []) result.push({ ip, hostname: endpoint.hostname });
    }
  }
  return result;
}

/** The resolver configuration of a source: the pod's resolv.conf, or ClusterFirst defaults for its namespace. */
export interface ResolverConfig {
  nameservers: string[];
  searches: string[];
  ndots: number;
}

/** resolv.conf as the kubelet writes it for a ClusterFirst pod in `namespace`. */
export function clusterFirstResolvConf(namespace: string): ResolverConfig {
  return {
    nameservers: [clusterDnsIp],
    searches: [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain],
    ndots: 5,
  };
}

/**
 * The names a stub resolver tries, in order (glibc/musl): a trailing dot means only the name
 * itself; a name with at least `ndots` dots is tried as is first; otherwise the search domains
 * come first and the bare name last.
 */
export function candidateNames(name: string, config: ResolverConfig): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const dots = name.split(".").length - 1;
  const searched = config.searches.map((domain) => `${name}.${domain}`);
  return dots >= config.ndots ? [name, ...searched] : [...searched, name];
}
