import type { Container, Pod, ResourceList } from "../../api/core";
import { milliValue, wholeValue } from "./quantity";

/**
 * Resources as the scheduler adds them up: CPU in millicores, the rest in whole units. A class,
 * so every instance shares one shape and the filter's hot loop stays monomorphic.
 */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  /** Extended resources (`nvidia.com/gpu`, hugepages-…), undefined when none. */
  scalar: Map<string, number> | undefined = undefined;
  /** Only meaningful for allocatable: the pod count the node allows. */
  pods = 0;
}

const noResources: ResourceList = Object.freeze({}) as ResourceList;

/** upstream schedutil.DefaultMilliCPURequest and DefaultMemoryRequest, used for "non-zero" requests. */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return new Resource();
}

export function cloneResource(resource: Resource): Resource {
  const copy = new Resource();
  copy.milliCPU = resource.milliCPU;
  copy.memory = resource.memory;
  copy.ephemeralStorage = resource.ephemeralStorage;
  copy.pods = resource.pods;
  copy.scalar = resource.scalar ? new Map(resource.scalar) : undefined;
  return copy;
}

/** Is `name` an extended or hugepages resource (counted by the scheduler beyond cpu/memory/storage)? */
function isScalarResourceName(name: string): boolean {
  return (
    name.startsWith("hugepages-") ||
    (name.includes("/") && !name.startsWith("kubernetes.io/")) ||
    name.startsWith("attachable-volumes-")
  );
}

/** Reads a ResourceList (`{cpu: "2", memory: "4Gi", pods: "110"}`) into a Resource and a pod count. */
export function resourceFromList(list: ResourceList | undefined): Resource {
  const resource = new Resource();
  if (!list) return resource;
  for (const name in list) addNamed(resource, name, list[name]);
  return resource;
}

function addNamed(resource: Resource, name: string, quantity: string | number | undefined) {
  switch (name) {
    case "cpu":
      resource.milliCPU += milliValue(quantity);
      return;
    case "memory":
      resource.memory += wholeValue(quantity);
      return;
    case "ephemeral-storage":
      resource.ephemeralStorage += wholeValue(quantity);
      return;
    case "pods":
      resource.pods += wholeValue(quantity);
      return;
    default:
      if (isScalarResourceName(name)) {
        resource.scalar ??= new Map();
        resource.scalar.set(name, (resource.scalar.get(name) ?? 0) + wholeValue(quantity));
      }
  }
}

function add(target: Resource, other: Resource) {
  target.milliCPU += other.milliCPU;
  target.memory += other.memory;
  target.ephemeralStorage += other.ephemeralStorage;
  if (other.scalar) {
    target.scalar ??= new Map();
    for (const [name, value] of other.scalar) target.scalar.set(name, (target.scalar.get(name) ?? 0) + value);
  }
}

function setMax(target: Resource, other: Resource) {
  target.milliCPU = Math.max(target.milliCPU, other.milliCPU);
  target.memory = Math.max(target.memory, other.memory);
  target.ephemeralStorage = Math.max(target.ephemeralStorage, other.ephemeralStorage);
  if (other.scalar) {
    target.scalar ??= new Map();
    for (const [name, value] of other.scalar) target.scalar.set(name, Math.max(target.scalar.get(name) ?? 0, value));
  }
}

/**
 * A container's requests; where a request is absent but a limit is set, the limit (the API
 * server's defaulting does the same, so this only matters for objects that skipped it). With
 * `nonZero`, missing cpu/memory requests count as 100m / 200Mi, as upstream's NonZeroRequested.
 */
function containerRequests(container: Container, nonZero: boolean): Resource {
  const requests = container.resources?.requests ?? noResources;
  const limits = container.resources?.limits ?? noResources;
  const resource = emptyResource();
  for (const name in requests) addNamed(resource, name, requests[name] ?? limits[name]);
  for (const name in limits) if (requests[name] === undefined) addNamed(resource, name, limits[name]);
  if (nonZero) {
    const hasCpu = requests.cpu !== undefined || limits.cpu !== undefined;
    const hasMemory = requests.memory !== undefined || limits.memory !== undefined;
    if (!hasCpu) resource.milliCPU = defaultMilliCPURequest;
    if (!hasMemory) resource.memory = defaultMemoryRequest;
  }
  return resource;
}

/**
 * What a pod asks of a node, as `resourcehelper.PodRequests` computes it: the sum of the app
 * containers and of native sidecars (init containers with `restartPolicy: Always`), or the
 * largest init-container phase if that is bigger (a regular init container runs beside the
 * sidecars started before it), plus the pod overhead. Pod-level `spec.resources` wins when set.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const total = emptyResource();
  if (!spec) return total;
  for (const container of spec.containers ?? []) add(total, containerRequests(container, nonZero));
  const initContainers = spec.initContainers ?? [];
  const sidecars = initContainers.length > 0 ? emptyResource() : total;
  const initMax = initContainers.length > 0 ? emptyResource() : total;
  for (const container of initContainers) {
    const requests = containerRequests(container, nonZero);
    if (container.restartPolicy === "Always") {
      add(total, requests);
      add(sidecars, requests);
      setMax(initMax, sidecars);
    } else {
      add(requests, sidecars);
      setMax(initMax, requests);
    }
  }
  if (initMax !== total) setMax(total, initMax);
  const podLevel = spec.resources?.requests;
  if (podLevel) {
    const level = resourceFromList(podLevel);
    if (podLevel.cpu !== undefined) total.milliCPU = level.milliCPU;
    if (podLevel.memory !== undefined) total.memory = level.memory;
  }
  if (spec.overhead) add(total, resourceFromList(spec.overhead));
  return total;
}
