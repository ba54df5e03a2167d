import { endpointChain, serviceExternalChain, serviceLocalChain, servicePortChain } from "./chainNames";
import { type ServicePortInfo, type ServiceTable, usableEndpoints } from "./ServiceTable";

/** One iptables rule, structured so it renders both as `iptables-save` and as `iptables -L -n`. */
export interface Rule {
  chain: string;
  source?: string;
  notSource?: string;
  destination?: string;
  protocol?: string;
  comment?: string;
  dport?: number;
  addrtypeLocal?: boolean;
  probability?: string;
  recent?: { name: string; mode: "set" | "rcheck"; seconds?: number };
  markNot?: string;
  target: string;
  dnat?: string;
  rejectWith?: string;
  setXmark?: string;
  randomFully?: boolean;
  /** Extra matches rendered verbatim (already in iptables-save syntax) and for -L. */
  raw?: { save: string; list: string; beforeComment?: boolean };
}

export interface NodeRules {
  filter: { chains: string[]; builtin: string[]; rules: Rule[] };
  nat: { chains: string[]; builtin: string[]; rules: Rule[] };
}

export interface RuleOptions {
  /** The pod network (kubeadm's --pod-network-cidr); traffic from outside it to a ClusterIP is masqueraded. */
  clusterCidr: string;
}

/**
 * The probability of choosing the n-th from last endpoint, as iptables-save shows it: kube-proxy
 * writes 1/n with ten decimals (`computeProbability`), the kernel's xt_statistic keeps it as a
 * fraction of 2³¹, and iptables prints that back with eleven decimals — hence 0.33333333349.
 */
function probability(n: number): string {
  const written = Number((1 / n).toFixed(10));
  return (Math.round(written * 0x80000000) / 0x80000000).toFixed(11);
}

/**
 * The rules kube-proxy (iptables mode, 1.32) writes on one node: KUBE-SERVICES dispatching each
 * ClusterIP/external IP:port to a KUBE-SVC chain, KUBE-NODEPORTS, KUBE-EXT chains that masquerade
 * external traffic, one KUBE-SEP chain per endpoint with its DNAT, random `statistic` choices with
 * probabilities 1/n, 1/(n−1) … and ClientIP affinity through `recent`, and REJECT rules in the
 * filter table for services without endpoints.
 */
export function buildNodeRules(table: ServiceTable, nodeName: string, options: RuleOptions): NodeRules {
  const natRules: Rule[] = [
    { chain: "PREROUTING", comment: "kubernetes service portals", target: "KUBE-SERVICES" },
    { chain: "OUTPUT", comment: "kubernetes service portals", target: "KUBE-SERVICES" },
    { chain: "POSTROUTING", comment: "kubernetes postrouting rules", target: "KUBE-POSTROUTING" },
    { chain: "KUBE-MARK-MASQ", target: "MARK", setXmark: "0x4000/0x4000" },
    { chain: "KUBE-POSTROUTING", markNot: "0x4000/0x4000", target: "RETURN" },
    { chain: "KUBE-POSTROUTING", target: "MARK", setXmark: "0x4000/0x0" },
    {
      chain: "KUBE-POSTROUTING",
      comment: "kubernetes service traffic requiring SNAT",
      target: "MASQUERADE",
      randomFully: true,
    },
  ];
  const filterRules: Rule[] = [
    { chain: "INPUT", raw: ctNew, comment: "kubernetes load balancer firewall", target: "KUBE-PROXY-FIREWALL" },
    { chain: "INPUT", comment: "kubernetes health check service ports", target: "KUBE-NODEPORTS" },
    {
      chain: "INPUT",
      raw: ctNew,
      comment: "kubernetes externally-visible service portals",
      target: "KUBE-EXTERNAL-SERVICES",
    },
    { chain: "FORWARD", raw: ctNew, comment: "kubernetes load balancer firewall", target: "KUBE-PROXY-FIREWALL" },
    { chain: "FORWARD", comment: "kubernetes forwarding rules", target: "KUBE-FORWARD" },
    { chain: "FORWARD", raw: ctNew, comment: "kubernetes service portals", target: "KUBE-SERVICES" },
    {
      chain: "FORWARD",
      raw: ctNew,
      comment: "kubernetes externally-visible service portals",
      target: "KUBE-EXTERNAL-SERVICES",
    },
    { chain: "OUTPUT", raw: ctNew, comment: "kubernetes load balancer firewall", target: "KUBE-PROXY-FIREWALL" },
    { chain: "OUTPUT", raw: ctNew, comment: "kubernetes service portals", target: "KUBE-SERVICES" },
    {
      chain: "KUBE-FORWARD",
      raw: { save: "-m conntrack --ctstate INVALID", list: "ctstate INVALID" },
      target: "DROP",
    },
    { chain: "KUBE-FORWARD", comment: "kubernetes forwarding rules", raw: markMatch, target: "ACCEPT" },
    {
      chain: "KUBE-FORWARD",
      comment: "kubernetes forwarding conntrack rule",
      raw: { save: "-m conntrack --ctstate RELATED,ESTABLISHED", list: "ctstate RELATED,ESTABLISHED" },
      target: "ACCEPT",
    },
  ];
  const natChains = new Set([
    "KUBE-KUBELET-CANARY",
    "KUBE-MARK-MASQ",
    "KUBE-NODEPORTS",
    "KUBE-POSTROUTING",
    "KUBE-PROXY-CANARY",
    "KUBE-SERVICES",
  ]);
  const serviceRules: Rule[] = [];
  const nodePortRules: Rule[] = [];
  const perServiceChains: Rule[] = [];

  for (const port of table.servicePorts()) {
    const protocol = port.protocol.toLowerCase();
    const spn = port.servicePortName;
    const clusterEndpoints = usableEndpoints(port, false, nodeName);
    const internalEndpoints = port.internalPolicyLocal ? usableEndpoints(port, true, nodeName) : clusterEndpoints;
    const externalEndpoints = port.externalPolicyLocal ? usableEndpoints(port, true, nodeName) : clusterEndpoints;
    const svcChain = servicePortChain(spn, protocol);
    const localChain = serviceLocalChain(spn, protocol);
    const extChain = serviceExternalChain(spn, protocol);
    const hasExternal = Boolean(port.nodePort) || port.externalIPs.length > 0 || port.loadBalancerIPs.length > 0;
    const match = (rule: Omit<Rule, "protocol" | "raw">): Rule => ({ ...rule, protocol });

    // ClusterIP: jump to the service chain, or REJECT in the filter table when it has no endpoints.
    for (const clusterIP of port.clusterIPs) {
      if (internalEndpoints.length > 0) {
        serviceRules.push(
          match({
            chain: "KUBE-SERVICES",
            destination: `${clusterIP}/32`,
            comment: `${spn} cluster IP`,
            dport: port.port,
            target: port.internalPolicyLocal ? localChain : svcChain,
          }),
        );
      } else {
        filterRules.push(
          match({
            chain: "KUBE-SERVICES",
            destination: `${clusterIP}/32`,
            comment: `${spn} has no endpoints`,
            dport: port.port,
            target: "REJECT",
            rejectWith: "icmp-port-unreachable",
          }),
        );
      }
    }
    // External destinations: NodePort, externalIPs, load balancer ingress.
    if (hasExternal) {
      const externalHasEndpoints = externalEndpoints.length > 0;
      for (const ip of [...port.externalIPs, ...port.loadBalancerIPs]) {
        const kind = port.loadBalancerIPs.includes(ip) ? "loadbalancer IP" : "external IP";
        if (externalHasEndpoints) {
          serviceRules.push(
            match({
              chain: "KUBE-SERVICES",
              destination: `${ip}/32`,
              comment: `${spn} ${kind}`,
              dport: port.port,
              target: extChain,
            }),
          );
        } else {
          filterRules.push(
            match({
              chain: "KUBE-EXTERNAL-SERVICES",
              destination: `${ip}/32`,
              comment: `${spn} has no endpoints`,
              dport: port.port,
              target: "REJECT",
              rejectWith: "icmp-port-unreachable",
            }),
          );
        }
      }
      if (port.nodePort) {
        if (externalHasEndpoints) {
          nodePortRules.push(match({ chain: "KUBE-NODEPORTS", comment: spn, dport: port.nodePort, target: extChain }));
        } else {
          filterRules.push({
            chain: "KUBE-EXTERNAL-SERVICES",
            protocol,
            comment: `${spn} has no endpoints`,
            addrtypeLocal: true,
            dport: port.nodePort,
            target: "REJECT",
            rejectWith: "icmp-port-unreachable",
          });
        }
      }
      if (externalHasEndpoints) {
        natChains.add(extChain);
        if (!port.externalPolicyLocal) {
          perServiceChains.push({
            chain: extChain,
            comment: `masquerade traffic for ${spn} external destinations`,
            target: "KUBE-MARK-MASQ",
          });
          perServiceChains.push({ chain: extChain, target: svcChain });
        } else {
          perServiceChains.push({ chain: extChain, target: localChain });
        }
      }
    }
    // The service chain(s) and one chain per endpoint.
    const chains: Array<{ chain: string; endpoints: typeof clusterEndpoints; masquerade: boolean }> = [];
    if (clusterEndpoints.length > 0 && (!port.internalPolicyLocal || (hasExternal && !port.externalPolicyLocal))) {
      chains.push({ chain: svcChain, endpoints: clusterEndpoints, masquerade: true });
    }
    if ((port.internalPolicyLocal || port.externalPolicyLocal) && usableEndpoints(port, true, nodeName).length > 0) {
      chains.push({ chain: localChain, endpoints: usableEndpoints(port, true, nodeName), masquerade: false });
    }
    const endpointChains = new Set<string>();
    for (const { chain, endpoints, masquerade } of chains) {
      natChains.add(chain);
      if (masquerade) {
        for (const clusterIP of port.clusterIPs) {
          perServiceChains.push({
            chain,
            notSource: options.clusterCidr,
            destination: `${clusterIP}/32`,
            protocol,
            comment: `${spn} cluster IP`,
            dport: port.port,
            target: "KUBE-MARK-MASQ",
          });
        }
      }
      if (port.sessionAffinitySeconds !== undefined) {
        for (const endpoint of endpoints) {
          const sep = endpointChain(spn, protocol, endpoint.address);
          perServiceChains.push({
            chain,
            comment: `${spn} -> ${endpoint.address}`,
            recent: { name: sep, mode: "rcheck", seconds: port.sessionAffinitySeconds },
            target: sep,
          });
        }
      }
      endpoints.forEach((endpoint, index) => {
        const sep = endpointChain(spn, protocol, endpoint.address);
        const remaining = endpoints.length - index;
        perServiceChains.push({
          chain,
          comment: `${spn} -> ${endpoint.address}`,
          probability: remaining > 1 ? probability(remaining) : undefined,
          target: sep,
        });
        endpointChains.add(sep);
      });
    }
    for (const endpoint of port.endpoints) {
      const sep = endpointChain(spn, protocol, endpoint.address);
      if (!endpointChains.has(sep)) continue;
      natChains.add(sep);
      perServiceChains.push({ chain: sep, source: `${endpoint.ip}/32`, comment: spn, target: "KUBE-MARK-MASQ" });
      perServiceChains.push({
        chain: sep,
        protocol,
        comment: spn,
        recent: port.sessionAffinitySeconds !== undefined ? { name: sep, mode: "set" } : undefined,
        target: "DNAT",
        dnat: endpoint.address,
      });
    }
  }
  natRules.push(...serviceRules);
  natRules.push({
    chain: "KUBE-SERVICES",
    comment: "kubernetes service nodeports; NOTE: this must be the last rule in this chain",
    addrtypeLocal: true,
    target: "KUBE-NODEPORTS",
  });
  natRules.push(...nodePortRules, ...perServiceChains);
  return {
    filter: {
      builtin: ["INPUT", "FORWARD", "OUTPUT"],
      chains: [
        "KUBE-EXTERNAL-SERVICES",
        "KUBE-FIREWALL",
        "KUBE-FORWARD",
        "KUBE-KUBELET-CANARY",
        "KUBE-NODEPORTS",
        "KUBE-PROXY-CANARY",
        "KUBE-PROXY-FIREWALL",
        "KUBE-SERVICES",
      ],
      rules: filterRules,
    },
    nat: { builtin: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"], chains: [...natChains].sort(), rules: natRules },
  };
}

const ctNew = { save: "-m conntrack --ctstate NEW", list: "ctstate NEW", beforeComment: true };
const markMatch = { save: "-m mark --mark 0x4000/0x4000", list: "mark match 0x4000/0x4000" };

/** One rule in `iptables-save` syntax. */
export function saveRule(rule: Rule): string {
  const parts = [`-A ${rule.chain}`];
  if (rule.source) parts.push(`-s ${rule.source}`);
  if (rule.notSource) parts.push(`! -s ${rule.notSource}`);
  if (rule.destination) parts.push(`-d ${rule.destination}`);
  if (rule.protocol) parts.push(`-p ${rule.protocol}`);
  const rawFirst = rule.raw && (!rule.comment || rule.raw.beforeComment);
  if (rule.raw && rawFirst) parts.push(rule.raw.save);
  if (rule.comment) parts.push(`-m comment --comment ${quoteComment(rule.comment)}`);
  if (rule.raw && !rawFirst) parts.push(rule.raw.save);
  if (rule.markNot) parts.push(`-m mark ! --mark ${rule.markNot}`);
  if (rule.recent?.mode === "rcheck") {
    parts.push(
      `-m recent --rcheck --seconds ${rule.recent.seconds} --reap --name ${rule.recent.name} --mask 255.255.255.255 --rsource`,
    );
  }
  if (rule.recent?.mode === "set")
    parts.push(`-m recent --set --name ${rule.recent.name} --mask 255.255.255.255 --rsource`);
  if (rule.protocol && (rule.dport !== undefined || rule.dnat)) {
    parts.push(`-m ${rule.protocol}${rule.dport !== undefined ? ` --dport ${rule.dport}` : ""}`);
  }
  if (rule.addrtypeLocal) parts.push("-m addrtype --dst-type LOCAL");
  if (rule.probability) parts.push(`-m statistic --mode random --probability ${rule.probability}`);
  parts.push(`-j ${rule.target}`);
  if (rule.dnat) parts.push(`--to-destination ${rule.dnat}`);
  if (rule.rejectWith) parts.push(`--reject-with ${rule.rejectWith}`);
  if (rule.setXmark) parts.push(`--set-xmark ${rule.setXmark}`);
  if (rule.randomFully) parts.push("--random-fully");
  return parts.join(" ");
}

/** iptables-save quotes comments that contain spaces. */
function quoteComment(comment: string): string {
  return /[\s"]/.test(comment) ? `"${comment.replace(/"/g, '\\"')}"` : comment;
}

/**
 * A whole table in `iptables-save` format. iptables-save reads the rules back from the kernel,
 * so they come grouped by chain: built-in chains first, then user chains in name order.
 */
export function saveTable(name: string, table: NodeRules["filter"]): string {
  const lines = [`*${name}`];
  for (const chain of table.builtin) lines.push(`:${chain} ACCEPT [0:0]`);
  for (const chain of table.chains) lines.push(`:${chain} - [0:0]`);
  const byChain = new Map<string, Rule[]>();
  for (const rule of table.rules) {
    const list = byChain.get(rule.chain);
    if (list) list.push(rule);
    else byChain.set(rule.chain, [rule]);
  }
  for (const chain of [...table.builtin, ...table.chains]) {
    for (const rule of byChain.get(chain) ?? []) lines.push(saveRule(rule));
  }
  lines.push("COMMIT");
  return lines.join("\n");
}

/** `iptables -t <table> -L [chain] -n` output, laid out as iptables' print_header/print_firewall. */
export function listTable(table: NodeRules["filter"], chain?: string): string {
  const chains = chain ? [chain] : [...table.builtin, ...table.chains];
  const blocks: string[] = [];
  const header = `${"target".padEnd(9)}  prot opt ${"source".padEnd(19)}  ${"destination".padEnd(19)} `;
  for (const name of chains) {
    const rules = table.rules.filter((r) => r.chain === name);
    const references = table.rules.filter((r) => r.target === name).length;
    const title = table.builtin.includes(name)
      ? `Chain ${name} (policy ACCEPT)`
      : `Chain ${name} (${references} references)`;
    const lines = [title, header];
    for (const rule of rules) {
      const source = rule.source ?? rule.notSource ?? "0.0.0.0/0";
      const extras: string[] = [];
      if (rule.raw?.beforeComment) extras.push(rule.raw.list);
      if (rule.comment) extras.push(`/* ${rule.comment} */`);
      if (rule.raw && !rule.raw.beforeComment) extras.push(rule.raw.list);
      if (rule.markNot) extras.push(`mark match ! ${rule.markNot}`);
      if (rule.recent?.mode === "rcheck") {
        extras.push(
          `recent: CHECK seconds: ${rule.recent.seconds} reap name: ${rule.recent.name} side: source mask: 255.255.255.255`,
        );
      }
      if (rule.recent?.mode === "set")
        extras.push(`recent: SET name: ${rule.recent.name} side: source mask: 255.255.255.255`);
      if (rule.protocol && rule.dport !== undefined) extras.push(`${rule.protocol} dpt:${rule.dport}`);
      else if (rule.protocol && rule.dnat) extras.push(rule.protocol);
      if (rule.addrtypeLocal) extras.push("ADDRTYPE match dst-type LOCAL");
      if (rule.probability) extras.push(`statistic mode random probability ${rule.probability}`);
      if (rule.dnat) extras.push(`to:${rule.dnat}`);
      if (rule.rejectWith) extras.push(`reject-with ${rule.rejectWith}`);
      if (rule.setXmark)
        extras.push(`MARK ${rule.setXmark.endsWith("/0x0") ? "xset" : "or"} ${rule.setXmark.split("/")[0]}`);
      if (rule.randomFully) extras.push("random-fully");
      // "%-9s " target, protocol inversion mark, "%-5s" protocol, "-- " options, then source and
      // destination as inversion mark + "%-19s ", then each match printing " <text>".
      const line =
        `${rule.target.padEnd(9)}  ${(rule.protocol ?? "all").padEnd(5)}-- ` +
        `${rule.notSource ? "!" : " "}${listAddress(source).padEnd(19)}  ${listAddress(rule.destination ?? "0.0.0.0/0").padEnd(19)} ` +
        extras.map((extra) => ` ${extra}`).join("");
      lines.push(line.trimEnd());
    }
    blocks.push(lines.join("\n"));
  }
  return `${blocks.join("\n\n")}\n`;
}

/** `-L -n` prints host addresses without `/32`. */
function listAddress(cidr: string): string {
  return cidr.endsWith("/32") ? cidr.slice(0, -3) : cidr;
}

export type { ServicePortInfo };
