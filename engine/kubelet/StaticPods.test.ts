import { afterEach, describe, expect, it } from "vitest";
import type { Pod } from "../api/core";
import { Pods } from "../api/resources";
import { isApiError } from "../apiserver/ApiError";
import { kubeletCluster } from "./testing/harness";

let current: Awaited<ReturnType<typeof kubeletCluster>> | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

describe("static pods", () => {
  it("runs the control plane from kubeadm's manifests as mirror pods, 1/1 Running once the startup probes pass", async () => {
    current = await kubeletCluster();
    const h = current;
    const manifests = await h.fileSystems.get("controlplane")?.readDir("/etc/kubernetes/manifests");
    expect(manifests).toEqual([
      "etcd.yaml",
      "kube-apiserver.yaml",
      "kube-controller-manager.yaml",
      "kube-scheduler.yaml",
    ]);
    await h.clock.advance(1_000);
    const pods = await h.client.list<Pod>(Pods, "kube-system");
    const names = pods.items.map((pod) => pod.metadata.name).sort();
    expect(names).toEqual([
      "etcd-controlplane",
      "kube-apiserver-controlplane",
      "kube-controller-manager-controlplane",
      "kube-scheduler-controlplane",
    ]);
    const etcd = pods.items.find((pod) => pod.metadata.name === "etcd-controlplane") as Pod;
    expect(etcd.metadata.annotations).toMatchObject({
      "kubernetes.io/config.source": "file",
      "kubernetes.io/config.mirror": expect.stringMatching(/^[0-9a-f]{32}$/),
      "kubernetes.io/config.hash": expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(etcd.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Node", name: "controlplane", controller: true });
    expect(etcd.status?.podIP).toBe("192.168.0.2");
    expect(etcd.status?.containerStatuses?.[0]).toMatchObject({ image: "registry.k8s.io/etcd:3.5.16-0" });
    const ready = await h.pod("etcd-controlplane", "kube-system");
    expect(ready.status?.phase).toBe("Running");
    expect(ready.status?.containerStatuses?.[0]).toMatchObject({ ready: true, started: true, restartCount: 0 });
    const events = await h.client.list(Pods, "kube-system");
    expect(events.items.length).toBe(4);
  });

  it("recreates a mirror pod deleted through the API without restarting it, and stops the pod when its file goes", async () => {
    current = await kubeletCluster();
    const h = current;
    await h.clock.advance(1_000);
    const before = await h.pod("kube-scheduler-controlplane", "kube-system");
    const containerId = before.status?.containerStatuses?.[0].containerID;
    await h.client.delete(Pods, "kube-system", "kube-scheduler-controlplane");
    await h.clock.advance(1_000);
    const after = await h.pod("kube-scheduler-controlplane", "kube-system");
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    expect(after.status?.containerStatuses?.[0].containerID).toBe(containerId);
    await h.fileSystems.get("controlplane")?.remove("/etc/kubernetes/manifests/kube-scheduler.yaml");
    await h.clock.advance(1_000);
    await expect(h.pod("kube-scheduler-controlplane", "kube-system")).rejects.toSatisfy((error) =>
      isApiError(error, "NotFound"),
    );
  });

  it("starts a static pod written to a worker's manifest folder", async () => {
    current = await kubeletCluster();
    const h = current;
    await h.fileSystems
      .get("node01")
      ?.writeFile(
        "/etc/kubernetes/manifests/static-web.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\n  labels:\n    role: myrole\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - name: web\n      containerPort: 80\n",
      );
    await h.clock.advance(1_000);
    const pod = await h.pod("static-web-node01");
    expect(pod.status?.phase).toBe("Running");
    expect(pod.metadata.labels).toEqual({ role: "myrole" });
  });
});
