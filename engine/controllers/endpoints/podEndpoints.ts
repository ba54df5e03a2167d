import type { Pod, Service, ServicePort } from "../../api/core";

/** podutil.FindPort: the container port a service port targets on this pod (named ports by name). */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  const protocol = servicePort.protocol ?? "TCP";
  if (typeof target === "string" && !/^\d+$/.test(target)) {
    for (const container of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
      for (const port of container.ports ?? []) {
        if (port.name === target && (port.protocol ?? "TCP") === protocol) return port.containerPort;
      }
    }
    return undefined;
  }
  const number = Number(target);
  return number > 0 ? number : servicePort.port;
}

/** endpointsliceutil.ShouldPodBeInEndpoints: has an IP and has not finished for good. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length ?? 0)) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  return true;
}

/** The pod's IPv4 address. */
export function podIPv4(pod: Pod): string | undefined {
  const candidates = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((ip) => ip.ip)];
  return candidates.find((ip): ip is string => !!ip && !ip.includes(":"));
}

/** A hostname for the pod in this service's DNS: only when its subdomain names the service. */
export function endpointHostname(pod: Pod, service: Service): string | undefined {
  if (
    pod.spec?.hostname &&
    pod.spec.subdomain === service.metadata.name &&
    pod.metadata.namespace === service.metadata.namespace
  )
    return pod.spec.hostname;
  return undefined;
}

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === "None";
}
