import { describe, expect, it } from "vitest";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../api/core";
import type { StorageClass } from "../../../api/storage";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const claim = (name: string, spec: PersistentVolumeClaim["spec"]): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default", uid: `pvc-${name}` },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});
const volume = (name: string, node: string, extra: Partial<PersistentVolume["spec"]> = {}): PersistentVolume => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: {
    capacity: { storage: "5Gi" },
    accessModes: ["ReadWriteOnce"],
    storageClassName: "local",
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }],
      },
    },
    ...extra,
  },
  status: { phase: "Available" },
});
const classes: StorageClass[] = [
  {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard" },
    provisioner: "rancher.io/local-path",
    volumeBindingMode: "WaitForFirstConsumer",
  },
  {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "immediate" },
    provisioner: "example.com/x",
    volumeBindingMode: "Immediate",
  },
  {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "local" },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "WaitForFirstConsumer",
  },
];
const podWith = (claimName: string) =>
  makePod("p", { spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName } }] } });

describe("VolumeBinding", () => {
  const cases = [
    { name: "no claims skips", pod: makePod("p"), node: "n1", expected: "skip" },
    {
      name: "missing claim",
      pod: podWith("nope"),
      node: "n1",
      expected: 'UnschedulableAndUnresolvable: persistentvolumeclaim "nope" not found',
    },
    {
      name: "unbound immediate claim",
      pod: podWith("imm"),
      node: "n1",
      expected: "UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims",
    },
    { name: "WaitForFirstConsumer with a provisioner", pod: podWith("wffc"), node: "n1", expected: "fits" },
    { name: "bound claim on its volume's node", pod: podWith("bound"), node: "n1", expected: "fits" },
    {
      name: "bound claim elsewhere",
      pod: podWith("bound"),
      node: "n2",
      expected: "UnschedulableAndUnresolvable: node(s) had volume node affinity conflict",
    },
    { name: "static local volume on the node", pod: podWith("local"), node: "n2", expected: "fits" },
    {
      name: "no static volume on the node",
      pod: podWith("local"),
      node: "n1",
      expected: "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({
        nodes: [makeNode("n1"), makeNode("n2")],
        storageClasses: classes,
        claims: [
          claim("imm", { storageClassName: "immediate" }),
          claim("wffc", { storageClassName: "standard" }),
          claim("bound", { storageClassName: "local", volumeName: "pv-n1" }),
          claim("local", { storageClassName: "local" }),
        ],
        volumes: [volume("pv-n1", "n1", { claimRef: { name: "bound", namespace: "default" } }), volume("pv-n2", "n2")],
      });
      expect(describeStatus(h.filter("VolumeBinding", c.pod, c.node))).toBe(c.expected);
    });
  }
});
