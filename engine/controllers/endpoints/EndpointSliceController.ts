import type { Node, Pod, Service } from "../../api/core";
import type { Endpoint, EndpointSlice, EndpointSlicePort } from "../../api/discovery";
import { EndpointSlices, Nodes, Pods, Services } from "../../api/resources";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isNamespaceTerminating, isNotFound } from "../shared/claim";
import { selectorFromSet } from "../shared/labels";
import { newControllerRef } from "../shared/ownerReferences";
import { isPodReady, keyOf, splitKey } from "../shared/pods";
import { servicesSelecting } from "./EndpointsController";
import { endpointHostname, findPort, isHeadless, podIPv4, shouldPodBeInEndpoints } from "./podEndpoints";

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
export const MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/** Upstream's default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/**
 * pkg/controller/endpointslice: IPv4 EndpointSlices for every service with a selector, one group
 * of slices per distinct set of resolved ports, at most 100 endpoints each. Endpoints carry the
 * ready/serving/terminating conditions, node name, zone and a reference to the pod. A service
 * that selects nothing keeps one empty placeholder slice, as upstream does.
 */
export class EndpointSliceController {
  private readonly queue: WorkQueue;
  private readonly services;
  private readonly pods;
  private readonly slices;
  private readonly nodes;
  /**
   * endpointSliceTracker: what this controller wrote per service and the cache has not shown yet
   * (slice name → expected resourceVersion, or null for a deletion, or "" for a creation by
   * generateName whose name is only known once the API answered).
   */
  private readonly written = new Map<string, Map<string, string | null>>();

  constructor(private readonly context: ControllerContext) {
    this.services = context.informer<Service>(Services);
    this.pods = context.informer<Pod>(Pods);
    this.slices = context.informer<EndpointSlice>(EndpointSlices);
    this.nodes = context.informer<Node>(Nodes);
    this.queue = context.loop("endpointslice", (key) => this.sync(key));
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
    const sliceChanged = (slice: EndpointSlice) => {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (service && slice.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME)
        this.queue.add(`${slice.metadata.namespace}/${service}`);
    };
    this.slices.addHandlers({ add: sliceChanged, update: (_old, slice) => sliceChanged(slice), delete: sliceChanged });
  }

  /** Whether the slice cache reflects every write this controller made for the service. */
  private cacheCaughtUp(key: string, namespace: string | undefined): boolean {
    const writes = this.written.get(key);
    if (!writes) return true;
    for (const [sliceName, resourceVersion] of writes) {
      const cached = this.slices.get(namespace, sliceName);
      const seen =
        resourceVersion === null
          ? !cached
          : !!cached &&
            (resourceVersion === "" || compareVersions(cached.metadata.resourceVersion, resourceVersion) >= 0);
      if (seen) writes.delete(sliceName);
    }
    if (writes.size === 0) this.written.delete(key);
    return writes.size === 0;
  }

  private track(slice: EndpointSlice, resourceVersion: string | null): void {
    const key = `${slice.metadata.namespace}/${slice.metadata.labels?.[SERVICE_NAME_LABEL]}`;
    let writes = this.written.get(key);
    if (!writes) {
      writes = new Map();
      this.written.set(key, writes);
    }
    writes.set(slice.metadata.name ?? "", resourceVersion);
  }

  private ownedSlices(namespace: string | undefined, service: string): EndpointSlice[] {
    return this.slices
      .list(namespace)
      .filter(
        (slice) =>
          slice.metadata.labels?.[SERVICE_NAME_LABEL] === service &&
          slice.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME,
      );
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.get(namespace, name);
    if (!this.cacheCaughtUp(key, namespace)) {
      throw new Error(`EndpointSlice informer cache is out of date for service ${key}`);
    }
    const existing = this.ownedSlices(namespace, name);
    if (!service?.spec?.selector || service.spec.type === "ExternalName") {
      // Without a service (or its selector) the slices have nothing to say; the GC also removes
      // them through their owner reference, this just does not wait for it.
      if (!service) for (const slice of existing) await this.deleteSlice(slice);
      return;
    }
    const desired = this.desiredGroups(service);
    const labels: Record<string, string> = {
      ...(service.metadata.labels ?? {}),
      [SERVICE_NAME_LABEL]: name,
      [MANAGED_BY_LABEL]: CONTROLLER_NAME,
    };
    if (isHeadless(service)) labels["service.kubernetes.io/headless"] = "";

    // Chunk each port group into slices and pair them with existing slices of the same ports.
    const wanted: Array<{ ports: EndpointSlicePort[] | undefined; endpoints: Endpoint[] }> = [];
    for (const group of desired) {
      for (let i = 0; i < group.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE)
        wanted.push({ ports: group.ports, endpoints: group.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
    if (wanted.length === 0) wanted.push({ ports: undefined, endpoints: [] });

    const unused = [...existing].sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
    for (const want of wanted) {
      const signature = JSON.stringify(want.ports ?? []);
      const index = unused.findIndex((slice) => JSON.stringify(slice.ports ?? []) === signature);
      const match = index >= 0 ? unused.splice(index, 1)[0] : unused.shift();
      if (match) await this.updateSlice(match, want, labels, service);
      else await this.createSlice(service, want, labels);
    }
    for (const slice of unused) await this.deleteSlice(slice);
  }

  /** Endpoints grouped by their resolved ports, sorted for stable output. */
  private desiredGroups(service: Service): Array<{ ports: EndpointSlicePort[] | undefined; endpoints: Endpoint[] }> {
    const selector = selectorFromSet(service.spec?.selector);
    const publishNotReady = service.spec?.publishNotReadyAddresses === true;
    const groups = new Map<string, { ports: EndpointSlicePort[] | undefined; endpoints: Endpoint[] }>();
    for (const pod of this.pods.list(service.metadata.namespace)) {
      if (!selector.matches(pod.metadata.labels)) continue;
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPv4(pod);
      if (!ip) continue;
      const ports: EndpointSlicePort[] = [];
      for (const servicePort of service.spec?.ports ?? []) {
        const port = findPort(pod, servicePort);
        if (port === undefined) continue;
        ports.push({
          name: servicePort.name ?? "",
          port,
          protocol: servicePort.protocol ?? "TCP",
          ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol } : {}),
        });
      }
      const terminating = !!pod.metadata.deletionTimestamp;
      const serving = isPodReady(pod);
      const endpoint: Endpoint = {
        addresses: [ip],
        conditions: {
          ready: publishNotReady || (serving && !terminating),
          serving: publishNotReady || serving,
          terminating,
        },
        targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      const hostname = endpointHostname(pod, service);
      if (hostname) endpoint.hostname = hostname;
      if (pod.spec?.nodeName) {
        endpoint.nodeName = pod.spec.nodeName;
        const zone = this.nodes.get(undefined, pod.spec.nodeName)?.metadata.labels?.["topology.kubernetes.io/zone"];
        if (zone) endpoint.zone = zone;
      }
      const signature = JSON.stringify(ports);
      let group = groups.get(signature);
      if (!group) {
        group = { ports, endpoints: [] };
        groups.set(signature, group);
      }
      group.endpoints.push(endpoint);
    }
    for (const group of groups.values())
      group.endpoints.sort((a, b) => ((a.targetRef?.name ?? "") < (b.targetRef?.name ?? "") ? -1 : 1));
    return [...groups.values()];
  }

  private async createSlice(
    service: Service,
    want: { ports: EndpointSlicePort[] | undefined; endpoints: Endpoint[] },
    labels: Record<string, string>,
  ): Promise<void> {
    const slice: EndpointSlice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        generateName: `${service.metadata.name}-`,
        namespace: service.metadata.namespace,
        labels,
        ownerReferences: [newControllerRef(service)],
      },
      addressType: "IPv4",
      endpoints: want.endpoints,
    };
    if (want.ports) slice.ports = want.ports;
    try {
      const created = await this.context.client.create<EndpointSlice>(EndpointSlices, slice);
      this.track(created, created.metadata.resourceVersion ?? "");
    } catch (error) {
      if (isNamespaceTerminating(error)) return;
      throw error;
    }
  }

  private async updateSlice(
    slice: EndpointSlice,
    want: { ports: EndpointSlicePort[] | undefined; endpoints: Endpoint[] },
    labels: Record<string, string>,
    service: Service,
  ): Promise<void> {
    const sameLabels = JSON.stringify(slice.metadata.labels ?? {}) === JSON.stringify(labels);
    const samePorts = JSON.stringify(slice.ports ?? null) === JSON.stringify(want.ports ?? null);
    const sameEndpoints = JSON.stringify(slice.endpoints ?? []) === JSON.stringify(want.endpoints);
    const owned = slice.metadata.ownerReferences?.some((reference) => reference.uid === service.metadata.uid);
    if (sameLabels && samePorts && sameEndpoints && owned) return;
    const copy = structuredClone(slice);
    copy.metadata.labels = labels;
    copy.metadata.ownerReferences = [newControllerRef(service)];
    copy.endpoints = want.endpoints;
    if (want.ports) copy.ports = want.ports;
    else delete copy.ports;
    const updated = await this.context.client.update<EndpointSlice>(EndpointSlices, copy);
    this.track(updated, updated.metadata.resourceVersion ?? "");
  }

  private async deleteSlice(slice: EndpointSlice): Promise<void> {
    try {
      await this.context.client.delete(EndpointSlices, slice.metadata.namespace, slice.metadata.name ?? "");
      this.track(slice, null);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** Compares resourceVersions numerically when both are numbers (etcd revisions), else as equal-or-not. */
function compareVersions(a: string | undefined, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a === b ? 0 : -1;
}
