import type { Container, Node, Pod, Taint } from "../../api/core";

/** A Ready node with the given allocatable cpu/memory, hostname label and optional taints/labels. */
export function makeNode(
  name: string,
  options: {
    cpu?: string;
    memory?: string;
    pods?: string;
    taints?: Taint[];
    labels?: Record<string, string>;
    unschedulable?: boolean;
    images?: Array<{ names: string[]; sizeBytes: number }>;
  } = {},
): Node {
  const allocatable = { cpu: options.cpu ?? "4", memory: options.memory ?? "8Gi", pods: options.pods ?? "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-${name}`, labels: { "kubernetes.io/hostname": name, ...options.labels } },
    spec: { taints: options.taints, unschedulable: options.unschedulable },
    status: {
      capacity: allocatable,
      allocatable,
      images: options.images,
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

/** A pending pod with one container requesting the given cpu/memory. */
export function makePod(
  name: string,
  options: {
    cpu?: string;
    memory?: string;
    namespace?: string;
    labels?: Record<string, string>;
    priority?: number;
    nodeName?: string;
    spec?: Partial<Pod["spec"]>;
    containers?: Container[];
  } = {},
): Pod {
  const requests: Record<string, string> = {};
  if (options.cpu) requests.cpu = options.cpu;
  if (options.memory) requests.memory = options.memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: options.namespace ?? "default", uid: `uid-${name}`, labels: options.labels },
    spec: {
      containers: options.containers ?? [{ name: "app", image: "nginx", resources: { requests } }],
      priority: options.priority,
      nodeName: options.nodeName,
      ...options.spec,
    },
    status: { phase: "Pending" },
  };
}

export const controlPlaneTaint: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };
