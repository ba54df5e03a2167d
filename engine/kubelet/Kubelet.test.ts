import { afterEach, describe, expect, it } from "vitest";
import type { Lease } from "../api/coordination";
import type { Node } from "../api/core";
import { Leases, Nodes } from "../api/resources";
import { nodeOsImage, nodeOsRelease } from "./nodeObject";
import { kubeletCluster } from "./testing/harness";

let current: Awaited<ReturnType<typeof kubeletCluster>> | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

async function setup(speed: "fast" | "realistic" = "fast") {
  current = await kubeletCluster({ speed });
  return current;
}

describe("kubelet: nodes", () => {
  it("reports the osImage its /etc/os-release names (Ubuntu 24.04 LTS, as kubeadm nodes typically run)", async () => {
    const { client } = await setup();
    expect(nodeOsRelease).toMatch(/^PRETTY_NAME="Ubuntu 24\.04\.1 LTS"\n[\s\S]*^ID=ubuntu$/m);
    expect(nodeOsImage).toBe("Ubuntu 24.04.1 LTS");
    const nodes = await client.list<Node>(Nodes);
    expect(nodes.items.map((n) => n.status?.nodeInfo?.osImage)).toEqual([nodeOsImage, nodeOsImage, nodeOsImage]);
    expect(nodes.items[0].status?.nodeInfo?.kernelVersion).toBe("6.8.0-1019-aws");
  });

  it("registers the kubeadm topology with leases", async () => {
    const { client, clock, cluster, run } = await setup();
    const nodes = await client.list<Node>(Nodes);
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(["controlplane", "node01", "node02"]);
    const controlPlane = nodes.items[0];
    expect(controlPlane.spec?.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
    expect(controlPlane.metadata.labels).toMatchObject({
      "node-role.kubernetes.io/control-plane": "",
      "kubernetes.io/hostname": "controlplane",
    });
    const worker = nodes.items[1];
    expect(worker.status?.addresses).toEqual([
      { type: "InternalIP", address: "192.168.0.3" },
      { type: "Hostname", address: "node01" },
    ]);
    expect(worker.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "True",
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
    });
    expect(worker.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.32\./);
    const lease = await client.get<Lease>(Leases, "kube-node-lease", "node01");
    const first = lease.spec?.renewTime;
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
    // Renewals are lazy: an idle node writes nothing, its renewals are the 10 s ticks the cluster's
    // heartbeats compute, which reads show (the stored Lease catches up the next time the kubelet writes).
    await clock.advance(25_000);
    const start = Date.parse(first ?? "");
    const read = await client.get<Lease>(Leases, "kube-node-lease", "node01");
    expect(Date.parse(read.spec?.renewTime ?? "")).toBe(start + 20_000);
    expect(cluster.heartbeats.lastRenewal("node01", clock.now())).toBe(start + 20_000);
    await run({ spec: { containers: [{ name: "c", image: "nginx" }] } });
    await clock.advance(1_000);
    const renewed = await client.get<Lease>(Leases, "kube-node-lease", "node01");
    expect(Date.parse(renewed.spec?.renewTime ?? "")).toBe(start + 20_000);
    // A stopped kubelet's renewals end: the controller times the node out from its last tick.
    await clock.advance(9_000);
    cluster.stop();
    expect(cluster.heartbeats.isRenewing("node01")).toBe(false);
    await clock.advance(60_000);
    expect(cluster.heartbeats.lastRenewal("node01", clock.now())).toBe(start + 30_000);
  });
});

describe("kubelet: pod lifecycle", () => {
  it("runs nginx: ContainerCreating, then Running and Ready, with upstream events and logs", async () => {
    const h = await setup("realistic");
    await h.run({ spec: { containers: [{ name: "nginx", image: "nginx" }] } });
    expect(await h.status()).toBe("ContainerCreating");
    await h.clock.advance(5_000);
    const pod = await h.pod();
    expect(await h.status()).toBe("Running");
    expect(pod.status?.podIP).toBe("10.244.1.2");
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    const container = pod.status?.containerStatuses?.[0];
    expect(container).toMatchObject({
      name: "nginx",
      ready: true,
      started: true,
      restartCount: 0,
      image: "docker.io/library/nginx:latest",
    });
    expect(container?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(container?.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    const events = await h.events();
    expect(events).toEqual([
      'Normal Pulling: Pulling image "nginx"',
      expect.stringMatching(
        /^Normal Pulled: Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: 72099410 bytes\.$/,
      ),
      "Normal Created: Created container: nginx",
      "Normal Started: Started container nginx",
    ]);
    const connection = h.cluster.apiServer.kubelets.get("node01");
    const stream = connection?.logs({
      namespace: "default",
      pod: "app",
      container: "nginx",
      follow: false,
      previous: false,
      timestamps: false,
    });
    let text = "";
    stream?.onData((chunk) => {
      text += chunk;
    });
    expect(text).toContain("Configuration complete; ready for start up");
  });
});
