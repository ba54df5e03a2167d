import type { KubeObject, Status } from "../../api/types";
import type { Clock } from "../../clock/Clock";
import { toRfc3339 } from "../../clock/Clock";
import { ApiError } from "../ApiError";
import type { RequestOptions, UserInfo } from "../ResourceRequest";
import type { ResourceRequestInfo } from "./requestInfo";
import type { HttpApiServer } from "./types";

/**
 * metrics.k8s.io/v1beta1, served from the kubelets' usage numbers the way metrics-server serves
 * them (NodeMetrics and PodMetrics), so `kubectl top` works.
 */

const WINDOW = "10s";

/** CPU as metrics-server writes it: nanocores (`12345678n`). */
export function formatCpu(nanoCores: number): string {
  return `${Math.max(0, Math.round(nanoCores))}n`;
}

/** Memory as metrics-server writes it: kibibytes (`123456Ki`). */
export function formatMemory(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

async function list(
  apiServer: HttpApiServer,
  resource: string,
  namespace: string | undefined,
  options: RequestOptions,
  user: UserInfo,
) {
  const result = await apiServer.handle({
    verb: "list",
    gvr: { group: "", version: "v1", resource },
    namespace,
    options: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
    user,
  });
  if (result.status >= 400) throw ApiError.fromStatus(result.body as Status);
  return (result.body as unknown as { items: KubeObject[] }).items;
}

function nodeMetrics(apiServer: HttpApiServer, node: KubeObject, now: number): object | undefined {
  const kubelet = apiServer.kubelet?.(node.metadata.name ?? "");
  if (!kubelet) return undefined;
  const usage = kubelet.nodeMetrics();
  return {
    metadata: {
      name: node.metadata.name,
      creationTimestamp: toRfc3339(now),
      labels: node.metadata.labels,
    },
    timestamp: toRfc3339(now),
    window: WINDOW,
    usage: { cpu: formatCpu(usage.cpuNanoCores), memory: formatMemory(usage.memoryBytes) },
  };
}

function podMetrics(apiServer: HttpApiServer, pod: KubeObject, now: number): object | undefined {
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const usage = apiServer.kubelet?.(nodeName)?.podMetrics(pod.metadata.namespace ?? "", pod.metadata.name ?? "");
  if (!usage) return undefined;
  return {
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: toRfc3339(now),
      labels: pod.metadata.labels,
    },
    timestamp: toRfc3339(now),
    window: WINDOW,
    containers: usage.containers.map((container) => ({
      name: container.name,
      usage: { cpu: formatCpu(container.cpuNanoCores), memory: formatMemory(container.memoryBytes) },
    })),
  };
}

/** Answers a metrics.k8s.io request; undefined for paths it does not serve (404). */
export async function handleMetrics(
  apiServer: HttpApiServer,
  clock: Clock,
  info: ResourceRequestInfo,
  options: RequestOptions,
  user: UserInfo,
): Promise<object | undefined> {
  if (info.version !== "v1beta1" || info.subresource) return undefined;
  const now = clock.now();
  const apiVersion = "metrics.k8s.io/v1beta1";
  if (info.resource === "nodes") {
    if (info.namespace !== undefined) return undefined;
    const nodes = await list(apiServer, "nodes", undefined, options, user);
    if (info.name) {
      const node = nodes.find((candidate) => candidate.metadata.name === info.name);
      const metrics = node && nodeMetrics(apiServer, node, now);
      if (!metrics) throw ApiError.notFound("metrics.k8s.io", "nodes", info.name);
      return { kind: "NodeMetrics", apiVersion, ...metrics };
    }
    const items = nodes.map((node) => nodeMetrics(apiServer, node, now)).filter((item) => item !== undefined);
    return { kind: "NodeMetricsList", apiVersion, metadata: {}, items };
  }
  if (info.resource === "pods") {
    const pods = await list(apiServer, "pods", info.namespace, options, user);
    if (info.name) {
      const pod = pods.find((candidate) => candidate.metadata.name === info.name);
      const metrics = pod && podMetrics(apiServer, pod, now);
      if (!metrics) throw ApiError.notFound("metrics.k8s.io", "pods", info.name);
      return { kind: "PodMetrics", apiVersion, ...metrics };
    }
    const items = pods.map((pod) => podMetrics(apiServer, pod, now)).filter((item) => item !== undefined);
    return { kind: "PodMetricsList", apiVersion, metadata: {}, items };
  }
  return undefined;
}
