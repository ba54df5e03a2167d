import type { KubeObject } from "../commands/common";
import { type Any, type DescribeContext, describeEvents, searchEvents } from "./context";
import { DescribeWriter, formatSelector, printAnnotations, printLabels } from "./format";

/** Go's time.Time String() for an API timestamp: `2006-01-02 15:04:05 +0000 UTC`. */
function goTimeString(timestamp: string | undefined): string {
  if (!timestamp) return "0001-01-01 00:00:00 +0000 UTC";
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  const iso = date.toISOString();
  const fraction = date.getUTCMilliseconds() ? `.${iso.slice(20, 23).replace(/0+$/, "")}` : "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction} +0000 UTC`;
}

/** An IntOrString pointer as fmt's %s prints it (`<nil>` when unset). */
function intOrString(value: unknown): string {
  return value === undefined || value === null ? "<nil>" : String(value);
}

type PeerKey = "from" | "to";

/** printNetworkPolicySpecIngressFrom / printNetworkPolicySpecEgressTo. */
function printPolicyRules(w: DescribeWriter, rules: Any[], peers: PeerKey, indent: string): void {
  const ingress = peers === "from";
  if (rules.length === 0) {
    w.write(0, `${indent}<none> (Selected pods are isolated for ${ingress ? "ingress" : "egress"} connectivity)\n`);
    return;
  }
  rules.forEach((rule, index) => {
    const ports: Any[] = rule.ports ?? [];
    if (ports.length === 0) w.write(0, `${indent}To Port: <any> (traffic allowed to all ports)\n`);
    for (const port of ports) {
      const protocol = port.protocol ?? "TCP";
      if (port.endPort === undefined || port.endPort === null)
        w.write(0, `${indent}To Port: ${intOrString(port.port)}/${protocol}\n`);
      else w.write(0, `${indent}To Port Range: ${intOrString(port.port)}-${port.endPort}/${protocol}\n`);
    }
    const list: Any[] = rule[peers] ?? [];
    if (list.length === 0) {
      w.write(
        0,
        ingress
          ? `${indent}From: <any> (traffic not restricted by source)\n`
          : `${indent}To: <any> (traffic not restricted by destination)\n`,
      );
    }
    for (const peer of list) {
      w.write(0, `${indent}${ingress ? "From" : "To"}:\n`);
      if (peer.podSelector && peer.namespaceSelector) {
        w.write(1, `${indent}NamespaceSelector: ${formatSelector(peer.namespaceSelector)}\n`);
        w.write(1, `${indent}PodSelector: ${formatSelector(peer.podSelector)}\n`);
      } else if (peer.podSelector) {
        w.write(1, `${indent}PodSelector: ${formatSelector(peer.podSelector)}\n`);
      } else if (peer.namespaceSelector) {
        w.write(1, `${indent}NamespaceSelector: ${formatSelector(peer.namespaceSelector)}\n`);
      } else if (peer.ipBlock) {
        w.write(1, `${indent}IPBlock:\n`);
        w.write(2, `${indent}CIDR: ${peer.ipBlock.cidr ?? ""}\n`);
        w.write(2, `${indent}Except: ${(peer.ipBlock.except ?? []).join(", ")}\n`);
      }
    }
    if (index !== rules.length - 1) w.write(0, `${indent}----------\n`);
  });
}

/** NetworkPolicyDescriber. */
export async function describeNetworkPolicy(_context: DescribeContext, policy: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = (policy as Any).spec ?? {};
  w.write(0, `Name:\t${policy.metadata?.name ?? ""}\n`);
  w.write(0, `Namespace:\t${policy.metadata?.namespace ?? ""}\n`);
  w.write(0, `Created on:\t${goTimeString(policy.metadata?.creationTimestamp)}\n`);
  printLabels(w, "Labels", policy.metadata?.labels);
  printAnnotations(w, "Annotations", policy.metadata?.annotations);
  w.write(0, "Spec:\n");
  w.write(1, "PodSelector: ");
  const selector = spec.podSelector ?? {};
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
    w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n");
  else w.write(2, `${formatSelector(selector)}\n`);
  const types: string[] = spec.policyTypes ?? [];
  if (types.includes("Ingress")) {
    w.write(1, "Allowing ingress traffic:\n");
    printPolicyRules(w, spec.ingress ?? [], "from", "    ");
  } else w.write(1, "Not affecting ingress traffic\n");
  if (types.includes("Egress")) {
    w.write(1, "Allowing egress traffic:\n");
    printPolicyRules(w, spec.egress ?? [], "to", "    ");
  } else w.write(1, "Not affecting egress traffic\n");
  w.write(1, `Policy Types: ${types.length > 0 ? types.join(", ") : "<none>"}\n`);
  return w.toString();
}

/** IngressClassDescriber. */
export async function describeIngressClass(context: DescribeContext, ingressClass: KubeObject): Promise<string> {
  const events = await searchEvents(context, ingressClass);
  const w = new DescribeWriter();
  const spec = (ingressClass as Any).spec ?? {};
  w.write(0, `Name:\t${ingressClass.metadata?.name ?? ""}\n`);
  printLabels(w, "Labels", ingressClass.metadata?.labels);
  printAnnotations(w, "Annotations", ingressClass.metadata?.annotations);
  w.write(0, `Controller:\t${spec.controller ?? ""}\n`);
  if (spec.parameters) {
    w.write(0, "Parameters:\n");
    if (spec.parameters.apiGroup !== undefined && spec.parameters.apiGroup !== null)
      w.write(1, `APIGroup:\t${spec.parameters.apiGroup}\n`);
    w.write(1, `Kind:\t${spec.parameters.kind ?? ""}\n`);
    w.write(1, `Name:\t${spec.parameters.name ?? ""}\n`);
  }
  describeEvents(w, events, context.now);
  return w.toString();
}

/** EndpointSliceDescriber (discovery.k8s.io/v1). */
export async function describeEndpointSlice(context: DescribeContext, slice: KubeObject): Promise<string> {
  const events = await searchEvents(context, slice);
  const w = new DescribeWriter();
  const object = slice as Any;
  w.write(0, `Name:\t${object.metadata?.name ?? ""}\n`);
  w.write(0, `Namespace:\t${object.metadata?.namespace ?? ""}\n`);
  printLabels(w, "Labels", object.metadata?.labels);
  printAnnotations(w, "Annotations", object.metadata?.annotations);
  w.write(0, `AddressType:\t${object.addressType ?? ""}\n`);
  const ports: Any[] = object.ports ?? [];
  if (ports.length === 0) w.write(0, "Ports: <unset>\n");
  else {
    w.write(0, "Ports:\n");
    w.write(1, "Name\tPort\tProtocol\n");
    w.write(1, "----\t----\t--------\n");
    for (const port of ports)
      w.write(1, `${port.name ? port.name : "<unset>"}\t${port.port ?? "<unset>"}\t${port.protocol ?? ""}\n`);
  }
  const endpoints: Any[] = object.endpoints ?? [];
  if (endpoints.length === 0) w.write(0, "Endpoints: <none>\n");
  else {
    w.write(0, "Endpoints:\n");
    for (const endpoint of endpoints) {
      const addresses = (endpoint.addresses ?? []).join(", ");
      w.write(1, `- Addresses:\t${addresses || "<none>"}\n`);
      w.write(2, "Conditions:\n");
      const ready = endpoint.conditions?.ready;
      w.write(3, `Ready:\t${ready === undefined || ready === null ? "<unset>" : String(ready)}\n`);
      w.write(2, `Hostname:\t${endpoint.hostname ?? "<unset>"}\n`);
      if (endpoint.targetRef)
        w.write(2, `TargetRef:\t${endpoint.targetRef.kind ?? ""}/${endpoint.targetRef.name ?? ""}\n`);
      w.write(2, `NodeName:\t${endpoint.nodeName ?? "<unset>"}\n`);
      w.write(2, `Zone:\t${endpoint.zone ?? "<unset>"}\n`);
    }
  }
  describeEvents(w, events, context.now);
  return w.toString();
}
