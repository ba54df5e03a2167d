import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from "../../api/core";
import { Endpoints as EndpointsResource, Pods, Services } from "../../api/resources";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from "../shared/claim";
import { selectorFromSet } from "../shared/labels";
import { isPodReady, keyOf, splitKey } from "../shared/pods";
import { endpointHostname, findPort, isHeadless, podIPv4, shouldPodBeInEndpoints } from "./podEndpoints";

/** Upstream's maxCapacity: Endpoints beyond this are truncated and annotated. */
const MAX_CAPACITY = 1000;

/**
 * pkg/controller/endpoint: the legacy Endpoints object of every service with a selector, ready
 * pods under `addresses` and the others under `notReadyAddresses`, grouped by port set.
 * Services without a selector (the `kubernetes` service among them) are left to whoever owns them.
 */
export class EndpointsController {
  private readonly queue: WorkQueue;
  private readonly services;
  private readonly pods;
  private readonly endpoints;

  constructor(private readonly context: ControllerContext) {
    this.services = context.informer<Service>(Services);
    this.pods = context.informer<Pod>(Pods);
    this.endpoints = context.informer<Endpoints>(EndpointsResource);
    this.queue = context.loop("endpoint", (key) => this.sync(key));
    this.services.addHandlers({
      add: (svc) => this.queue.add(keyOf(svc)),
      update: (_old, svc) => this.queue.add(keyOf(svc)),
      delete: (svc) => this.queue.add(keyOf(svc)),
    });
    const podChanged = (pod: Pod) => {
      for (const svc of servicesSelecting(this.services.list(pod.metadata.namespace), pod)) this.queue.add(keyOf(svc));
    };
    this.pods.addHandlers({
      add: podChanged,
      update: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        podChanged(pod);
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) podChanged(old);
      },
      delete: podChanged,
    });
    this.endpoints.addHandlers({
      delete: (ep) => this.queue.add(keyOf(ep)),
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.get(namespace, name);
    if (!service) {
      try {
        if (this.endpoints.get(namespace, name)) await this.context.client.delete(EndpointsResource, namespace, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return;
    }
    if (!service.spec?.selector || service.spec.type === "ExternalName") return;
    const selector = selectorFromSet(service.spec.selector);
    const tolerateUnready = service.spec.publishNotReadyAddresses === true;
    const entries: Array<{ address: EndpointAddress; ready: boolean; ports: EndpointPort[] }> = [];
    for (const pod of this.pods.list(namespace)) {
      if (!selector.matches(pod.metadata.labels)) continue;
      const ip = podIPv4(pod);
      if (!ip || (!tolerateUnready && pod.metadata.deletionTimestamp)) continue;
      const address: EndpointAddress = {
        ip,
        ...(endpointHostname(pod, service) ? { hostname: endpointHostname(pod, service) } : {}),
        ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
        targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      const ready = tolerateUnready || isPodReady(pod);
      if (!ready && !shouldPodBeInEndpoints(pod, false)) continue;
      const ports: EndpointPort[] = [];
      if ((service.spec.ports ?? []).length === 0 && isHeadless(service)) {
        entries.push({ address, ready, ports });
        continue;
      }
      for (const servicePort of service.spec.ports ?? []) {
        const port = findPort(pod, servicePort);
        if (port === undefined) continue;
        const endpointPort: EndpointPort = { port, protocol: servicePort.protocol ?? "TCP" };
        if (servicePort.name) endpointPort.name = servicePort.name;
        if (servicePort.appProtocol) endpointPort.appProtocol = servicePort.appProtocol;
        ports.push(endpointPort);
      }
      if (ports.length > 0) entries.push({ address, ready, ports });
    }
    const subsets = repackSubsets(entries);
    let total = 0;
    for (const subset of subsets) {
      if (total >= MAX_CAPACITY) {
        subset.addresses = [];
        subset.notReadyAddresses = [];
      }
      const room = MAX_CAPACITY - total;
      if (subset.addresses && subset.addresses.length > room) subset.addresses = subset.addresses.slice(0, room);
      total += subset.addresses?.length ?? 0;
      const roomNotReady = MAX_CAPACITY - total;
      if (subset.notReadyAddresses && subset.notReadyAddresses.length > roomNotReady)
        subset.notReadyAddresses = subset.notReadyAddresses.slice(0, roomNotReady);
      total += subset.notReadyAddresses?.length ?? 0;
      if (!subset.addresses?.length) delete subset.addresses;
      if (!subset.notReadyAddresses?.length) delete subset.notReadyAddresses;
    }
    const truncated = entries.length > MAX_CAPACITY;

    const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
    if (isHeadless(service)) labels["service.kubernetes.io/headless"] = "";
    const existing = this.endpoints.get(namespace, name);
    const annotations: Record<string, string> = { ...(existing?.metadata.annotations ?? {}) };
    if (truncated) annotations["endpoints.kubernetes.io/over-capacity"] = "truncated";
    else delete annotations["endpoints.kubernetes.io/over-capacity"];
    const finalSubsets = subsets.filter((subset) => subset.addresses || subset.notReadyAddresses);
    if (
      existing &&
      JSON.stringify(existing.subsets ?? []) === JSON.stringify(finalSubsets) &&
      JSON.stringify(existing.metadata.labels ?? {}) === JSON.stringify(labels) &&
      JSON.stringify(existing.metadata.annotations ?? {}) === JSON.stringify(annotations)
    )
      return;
    const body: Endpoints = existing
      ? structuredClone(existing)
      : { apiVersion: "v1", kind: "Endpoints", metadata: { name, namespace } };
    body.metadata.labels = labels;
    if (Object.keys(annotations).length) body.metadata.annotations = annotations;
    else delete body.metadata.annotations;
    body.subsets = finalSubsets;
    try {
      if (existing) await this.context.client.update(EndpointsResource, body);
      else await this.context.client.create(EndpointsResource, body);
    } catch (error) {
      if (isNamespaceTerminating(error)) return;
      if (isAlreadyExists(error)) throw error; // The cache is behind: retry.
      throw error;
    }
  }
}

/** Services in the pod's namespace whose selector matches the pod. */
export function servicesSelecting(services: readonly Service[], pod: Pod): Service[] {
  return services.filter(
    (svc) => svc.spec?.selector && selectorFromSet(svc.spec.selector).matches(pod.metadata.labels),
  );
}

/** endpoints.RepackSubsets: one subset per distinct port set, addresses sorted by IP. */
function repackSubsets(
  entries: Array<{ address: EndpointAddress; ready: boolean; ports: EndpointPort[] }>,
): EndpointSubset[] {
  const bySignature = new Map<
    string,
    { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }
  >();
  for (const entry of entries) {
    const ports = [...entry.ports].sort((a, b) =>
      (a.name ?? "") < (b.name ?? "") ? -1 : (a.name ?? "") > (b.name ?? "") ? 1 : a.port - b.port,
    );
    const signature = JSON.stringify(ports);
    let group = bySignature.get(signature);
    if (!group) {
      group = { ports, ready: [], notReady: [] };
      bySignature.set(signature, group);
    }
    (entry.ready ? group.ready : group.notReady).push(entry.address);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) =>
    compareIp(a.ip, b.ip) || ((a.targetRef?.uid ?? "") < (b.targetRef?.uid ?? "") ? -1 : 1);
  const subsets: EndpointSubset[] = [];
  for (const [signature, group] of [...bySignature].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    void signature;
    const subset: EndpointSubset = {};
    if (group.ready.length) subset.addresses = group.ready.sort(byIp);
    if (group.notReady.length) subset.notReadyAddresses = group.notReady.sort(byIp);
    if (group.ports.length) subset.ports = group.ports;
    subsets.push(subset);
  }
  return subsets;
}

function compareIp(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
