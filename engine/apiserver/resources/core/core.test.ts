import { describe, expect, it } from "vitest";
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  ResourceQuota,
  Secret,
} from "../../../api/core";
import { renderFieldError } from "../../ApiError";
import { fakeStrategyContext } from "../support/fakeStrategyContext";
import { configMaps } from "./configmaps";
import { endpoints, formatEndpoints } from "./endpoints";
import { events } from "./events";
import { namespaces } from "./namespaces";
import { nodes } from "./nodes";
import { persistentVolumeClaims } from "./persistentvolumeclaims";
import { persistentVolumes } from "./persistentvolumes";
import { resourceQuotas } from "./resourcequotas";
import { secrets } from "./secrets";

const now = Date.parse("2026-01-01T12:00:00Z");
const ago = (milliseconds: number) => new Date(now - milliseconds).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("printNode", () => {
  const node = (partial: Partial<Node>): Node => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node01" },
    ...partial,
  });
  it.each([
    ["ready", node({ status: { conditions: [{ type: "Ready", status: "True" }] } }), "Ready"],
    ["not ready", node({ status: { conditions: [{ type: "Ready", status: "False" }] } }), "NotReady"],
    ["unknown", node({}), "Unknown"],
    [
      "cordoned",
      node({ spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "True" }] } }),
      "Ready,SchedulingDisabled",
    ],
  ])("status %s", (_name, input, status) => {
    expect(nodes.table?.cells(input, now)[1]).toBe(status);
  });

  it("prints roles, version and the wide cells", () => {
    const input = node({
      metadata: {
        name: "controlplane",
        creationTimestamp: ago(3 * 3600_000 + 4 * 60_000),
        labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "master" },
      },
      status: {
        conditions: [{ type: "Ready", status: "True" }],
        addresses: [
          { type: "InternalIP", address: "172.18.0.2" },
          { type: "Hostname", address: "controlplane" },
        ],
        nodeInfo: {
          kubeletVersion: "v1.32.0",
          osImage: "Ubuntu 22.04.4 LTS",
          kernelVersion: "6.8.0",
          containerRuntimeVersion: "containerd://1.7.22",
          machineID: "",
          systemUUID: "",
          bootID: "",
          kubeProxyVersion: "",
          operatingSystem: "linux",
          architecture: "amd64",
        },
      },
    });
    expect(nodes.table?.cells(input, now)).toEqual([
      "controlplane",
      "Ready",
      "control-plane,master",
      "3h4m",
      "v1.32.0",
      "172.18.0.2",
      "<none>",
      "Ubuntu 22.04.4 LTS",
      "6.8.0",
      "containerd://1.7.22",
    ]);
    expect(nodes.table?.cells(node({}), now).slice(2)).toEqual([
      "<none>",
      "<unknown>",
      "",
      "<none>",
      "<none>",
      "<unknown>",
      "<unknown>",
      "<unknown>",
    ]);
  });

  it("rejects duplicate taints", () => {
    const input = node({
      spec: {
        taints: [
          { key: "a", effect: "NoSchedule" },
          { key: "a", value: "x", effect: "NoSchedule" },
        ],
      },
    });
    expect((nodes.strategy.validate?.(input, fakeStrategyContext()) ?? []).map(renderFieldError)).toEqual([
      'spec.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"x", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
    ]);
  });
});

describe("printEndpoints", () => {
  const endpointsOf = (subsets: Endpoints["subsets"]): Endpoints => ({
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "web" },
    subsets,
  });
  it.each([
    ["no subsets", undefined, "<none>"],
    ["one address", [{ addresses: [{ ip: "10.244.1.2" }], ports: [{ port: 80 }] }], "10.244.1.2:80"],
    [
      "more than three",
      [
        {
          addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }, { ip: "10.0.0.3" }, { ip: "10.0.0.4" }],
          ports: [{ port: 8080 }, { port: 9090 }],
        },
      ],
      "10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 5 more...",
    ],
    ["headless without ports", [{ addresses: [{ ip: "10.0.0.9" }] }], "10.0.0.9"],
  ])("%s", (_name, subsets, expected) => {
    expect(formatEndpoints(endpointsOf(subsets as Endpoints["subsets"]))).toBe(expected);
    expect(endpoints.table?.cells(endpointsOf(subsets as Endpoints["subsets"]), now)[1]).toBe(expected);
  });
});

describe("namespaces", () => {
  it("labels the namespace with its name, adds the kubernetes finalizer and starts Active", () => {
    const context = fakeStrategyContext();
    const namespace: Namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };
    namespaces.strategy.defaults?.(namespace, context);
    namespaces.strategy.prepareForCreate?.(namespace, context);
    expect(namespace.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "team-a" });
    expect(namespace.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(namespace.status).toEqual({ phase: "Active" });
    expect(namespaces.table?.cells(namespace, now)).toEqual(["team-a", "Active", "<unknown>"]);
  });

  it("requires DNS-1123 labels", () => {
    const namespace: Namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team.a" } };
    expect((namespaces.strategy.validate?.(namespace, fakeStrategyContext()) ?? []).map(renderFieldError)).toEqual([
      "metadata.name: Invalid value: \"team.a\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

describe("configmaps and secrets", () => {
  it("counts data and binaryData", () => {
    const configMap: ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", creationTimestamp: ago(45_000) },
      data: { a: "1" },
      binaryData: { b: "AA==" },
    };
    expect(configMaps.table?.cells(configMap, now)).toEqual(["cfg", 2, "45s"]);
  });

  it("rejects bad keys and changes to immutable data", () => {
    const context = fakeStrategyContext();
    const configMap: ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "default" },
      data: { "a b": "1" },
    };
    expect((configMaps.strategy.validate?.(configMap, context) ?? []).map(renderFieldError)).toEqual([
      "data: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
    const old: ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "default" },
      data: { a: "1" },
      immutable: true,
    };
    const update = { ...old, data: { a: "2" } };
    expect((configMaps.strategy.validateUpdate?.(update, old, context) ?? []).map(renderFieldError)).toEqual([
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
  });

  it("defaults the secret type, merges stringData and prints the data count", () => {
    const context = fakeStrategyContext();
    const secret: Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "default" },
      stringData: { password: "hunter2" },
    };
    secrets.strategy.defaults?.(secret, context);
    expect(secret).toMatchObject({ type: "Opaque", data: { password: "aHVudGVyMg==" } });
    expect(secret.stringData).toBeUndefined();
    expect(secrets.table?.cells(secret, now)).toEqual(["s", "Opaque", 1, "<unknown>"]);
    const tls: Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "t", namespace: "default" },
      type: "kubernetes.io/tls",
      data: {},
    };
    expect((secrets.strategy.validate?.(tls, context) ?? []).map(renderFieldError)).toEqual([
      "data[tls.crt]: Required value",
      "data[tls.key]: Required value",
    ]);
  });
});

describe("printEvent", () => {
  const event: Event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.17a", namespace: "default" },
    involvedObject: { kind: "Pod", name: "web", namespace: "default", fieldPath: "spec.containers{nginx}" },
    reason: "Pulled",
    message: 'Successfully pulled image "nginx"  ',
    source: { component: "kubelet", host: "node01" },
    firstTimestamp: ago(300_000),
    lastTimestamp: ago(42_000),
    count: 3,
    type: "Normal",
  };
  it("prints the columns in upstream order", () => {
    expect(events.table?.columns.map((column) => [column.name, column.priority])).toEqual([
      ["Last Seen", 0],
      ["Type", 0],
      ["Reason", 0],
      ["Object", 0],
      ["Subobject", 1],
      ["Source", 1],
      ["Message", 0],
      ["First Seen", 1],
      ["Count", 1],
      ["Name", 1],
    ]);
    expect(events.table?.cells(event, now)).toEqual([
      "42s",
      "Normal",
      "Pulled",
      "pod/web",
      "spec.containers{nginx}",
      "kubelet, node01",
      'Successfully pulled image "nginx"',
      "5m",
      3,
      "web.17a",
    ]);
  });

  it("uses eventTime and series for events of the new API", () => {
    const fresh: Event = {
      ...event,
      firstTimestamp: undefined,
      lastTimestamp: undefined,
      count: undefined,
      source: undefined,
      eventTime: ago(120_000),
      reportingComponent: "default-scheduler",
    };
    expect(events.table?.cells(fresh, now).slice(0, 9)).toEqual([
      "2m",
      "Normal",
      "Pulled",
      "pod/web",
      "spec.containers{nginx}",
      "default-scheduler",
      'Successfully pulled image "nginx"',
      "2m",
      1,
    ]);
    expect(events.selectableFields?.source(fresh)).toBe("default-scheduler");
  });
});

describe("persistent volumes and claims", () => {
  it("prints a bound volume and claim", () => {
    const volume: PersistentVolume = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv1" },
      spec: {
        capacity: { storage: "1024Mi" },
        accessModes: ["ReadWriteMany", "ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        claimRef: { namespace: "default", name: "data" },
        storageClassName: "standard",
        volumeMode: "Filesystem",
        hostPath: { path: "/data" },
      },
      status: { phase: "Bound" },
    };
    expect(persistentVolumes.table?.cells(volume, now)).toEqual([
      "pv1",
      "1Gi",
      "RWO,RWX",
      "Retain",
      "Bound",
      "default/data",
      "standard",
      "<unset>",
      "",
      "<unknown>",
      "Filesystem",
    ]);
    const claim: PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data" },
      spec: {
        volumeName: "pv1",
        storageClassName: "standard",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
      },
      status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } },
    };
    expect(persistentVolumeClaims.table?.cells(claim, now)).toEqual([
      "data",
      "Bound",
      "pv1",
      "1Gi",
      "RWO",
      "standard",
      "<unset>",
      "<unknown>",
      "<unset>",
    ]);
    const pending = { ...claim, spec: { ...claim.spec, volumeName: undefined }, status: { phase: "Pending" } };
    expect(persistentVolumeClaims.table?.cells(pending, now).slice(0, 5)).toEqual(["data", "Pending", "", "", ""]);
  });

  it("requires access modes and a size on claims", () => {
    const claim: PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: {},
    };
    expect(
      (persistentVolumeClaims.strategy.validate?.(claim, fakeStrategyContext()) ?? []).map(renderFieldError),
    ).toEqual([
      "spec.accessModes: Required value: at least 1 access mode is required",
      "spec.resources[storage]: Required value",
    ]);
  });
});

describe("printResourceQuota", () => {
  it("splits requests and limits", () => {
    const quota: ResourceQuota = {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q" },
      status: {
        hard: { pods: "10", "requests.cpu": "2", "limits.memory": "2Gi", "limits.cpu": "4" },
        used: { pods: "3", "requests.cpu": "500m", "limits.cpu": "1" },
      },
    };
    expect(resourceQuotas.table?.cells(quota, now)).toEqual([
      "q",
      "<unknown>",
      "pods: 3/10, requests.cpu: 500m/2",
      "limits.cpu: 1/4, limits.memory: 0/2Gi",
    ]);
  });
});
