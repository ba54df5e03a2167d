import { afterEach, describe, expect, it } from "vitest";
import type { Pod } from "../api/core";
import { Deployments, Events, Pods, ReplicaSets } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { InMemoryNodeFileSystem } from "../kubelet/NodeFileSystem";
import type { NodeServices } from "../kubelet/service/NodeServices";
import { type Cluster, createCluster } from "./createCluster";

const manifests = "/etc/kubernetes/manifests";

let current: Cluster | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

async function setup() {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const files = new Map<string, InMemoryNodeFileSystem>();
  const cluster = createCluster({
    clock,
    speed: "fast",
    random: seededRandom(7),
    nodes: 1,
    nodeFileSystem: (node) => {
      const fs = files.get(node) ?? new InMemoryNodeFileSystem();
      files.set(node, fs);
      return fs;
    },
  });
  current = cluster;
  await cluster.ready;
  await clock.advance(2_000);
  const controlPlane = files.get("controlplane") as InMemoryNodeFileSystem;
  const client = cluster.client();
  /** Moves a manifest away (`mv /etc/kubernetes/manifests/x.yaml /tmp/`), returning a way back. */
  const moveAway = async (name: string) => {
    const content = (await controlPlane.readFile(`${manifests}/${name}.yaml`)) ?? "";
    await controlPlane.remove(`${manifests}/${name}.yaml`);
    return () => controlPlane.writeFile(`${manifests}/${name}.yaml`, content);
  };
  const edit = async (name: string, change: (text: string) => string) => {
    const path = `${manifests}/${name}.yaml`;
    await controlPlane.writeFile(path, change((await controlPlane.readFile(path)) ?? ""));
  };
  const pod = (name: string, nodeName?: string) =>
    client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", image: "nginx" }] },
    });
  const events = async (name: string) =>
    (await client.list(Events, "default")).items
      .filter((event) => (event as { involvedObject?: { name?: string } }).involvedObject?.name === name)
      .map((event) => (event as { reason?: string }).reason);
  const logs = (pod: string, container: string, previous = false) => {
    const stream = cluster.apiServer.kubelets.get("controlplane")?.logs({
      namespace: "kube-system",
      pod,
      container,
      follow: false,
      previous,
      timestamps: false,
    });
    let text = "";
    stream?.onData((chunk) => {
      text += chunk;
    });
    return text;
  };
  return { clock, cluster, client, controlPlane, moveAway, edit, pod, events, logs };
}

describe("the control plane's static pods are the control plane", () => {
  it("without the kube-scheduler static pod new pods stay Pending with no scheduling event; back, it schedules the backlog", async () => {
    const h = await setup();
    const restore = await h.moveAway("kube-scheduler");
    await h.clock.advance(35_000);
    expect(h.cluster.controlPlane.isServing("kube-scheduler")).toBe(false);
    await h.pod("waiting");
    await h.clock.advance(30_000);
    const pending = await h.client.get<Pod>(Pods, "default", "waiting");
    expect(pending.spec?.nodeName).toBeUndefined();
    expect(pending.status?.phase).toBe("Pending");
    expect(await h.events("waiting")).toEqual([]);
    await restore();
    await h.clock.advance(5_000);
    expect(h.cluster.controlPlane.isServing("kube-scheduler")).toBe(true);
    const scheduled = await h.client.get<Pod>(Pods, "default", "waiting");
    expect(scheduled.spec?.nodeName).toBeDefined();
    expect(await h.events("waiting")).toContain("Scheduled");
  }, 60_000);

  it("a bad flag crashes kube-scheduler with cobra's error and CrashLoopBackOff, and nothing is scheduled", async () => {
    const h = await setup();
    await h.edit("kube-scheduler", (text) =>
      text.replace(/^( *)- --leader-elect=true$/m, "$1- --leader-elect=true\n$1- --bogus"),
    );
    await h.clock.advance(60_000);
    const mirror = await h.client.get<Pod>(Pods, "kube-system", "kube-scheduler-controlplane");
    const status = mirror.status?.containerStatuses?.[0];
    expect(status?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    expect(status?.lastState?.terminated?.exitCode).toBe(1);
    expect(h.logs("kube-scheduler-controlplane", "kube-scheduler", true)).toBe("Error: unknown flag: --bogus\n");
    await h.pod("waiting");
    await h.clock.advance(10_000);
    expect((await h.client.get<Pod>(Pods, "default", "waiting")).spec?.nodeName).toBeUndefined();
  }, 60_000);

  it("a missing --kubeconfig file crashes kube-scheduler as the real one logs it", async () => {
    const h = await setup();
    await h.edit("kube-scheduler", (text) =>
      text.replace("- --kubeconfig=/etc/kubernetes/scheduler.conf", "- --kubeconfig=/etc/kubernetes/scheduler.config"),
    );
    await h.clock.advance(30_000);
    const log = h.logs("kube-scheduler-controlplane", "kube-scheduler", true);
    expect(log).toMatch(/^I\d{4} [\d:.]{15} {7}1 serving\.go:386\] Generated self-signed cert in-memory\n/);
    expect(log).toMatch(
      /\nE\d{4} [\d:.]{15} {7}1 run\.go:72\] "command failed" err="stat \/etc\/kubernetes\/scheduler\.config: no such file or directory"\n$/,
    );
  }, 60_000);

  it("without the kube-controller-manager static pod a new Deployment gets no ReplicaSet until it is back", async () => {
    const h = await setup();
    const restore = await h.moveAway("kube-controller-manager");
    await h.clock.advance(35_000);
    await h.client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    await h.clock.advance(20_000);
    expect((await h.client.list(ReplicaSets, "default")).items).toHaveLength(0);
    await restore();
    await h.clock.advance(5_000);
    expect((await h.client.list(ReplicaSets, "default")).items).toHaveLength(1);
  }, 60_000);

  it("the API is unreachable while kube-apiserver's static pod is gone, and again once it is back", async () => {
    const h = await setup();
    expect(h.cluster.controlPlane.apiReachable()).toBe(true);
    const restore = await h.moveAway("kube-apiserver");
    await h.clock.advance(35_000);
    expect(h.cluster.controlPlane.apiReachable()).toBe(false);
    await restore();
    await h.clock.advance(5_000);
    expect(h.cluster.controlPlane.apiReachable()).toBe(true);
  }, 60_000);

  it("without etcd the API is down and a restarted kube-apiserver crashes dialing 127.0.0.1:2379", async () => {
    const h = await setup();
    const restoreEtcd = await h.moveAway("etcd");
    await h.clock.advance(35_000);
    expect(h.cluster.controlPlane.apiReachable()).toBe(false);
    // A new kube-apiserver (its manifest edited) cannot reach etcd.
    await h.edit("kube-apiserver", (text) => text.replace("- --allow-privileged=true", "- --allow-privileged=false"));
    await h.clock.advance(40_000);
    const log = h.logs("kube-apiserver-controlplane", "kube-apiserver", true);
    expect(log).toContain(
      'Err: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"',
    );
    expect(log).toMatch(
      /\nF\d{4} [\d:.]{15} {7}1 instance\.go:226\] Error creating leases: error creating storage factory: context deadline exceeded\n$/,
    );
    await restoreEtcd();
    await h.clock.advance(5 * 60_000);
    expect(h.cluster.controlPlane.apiReachable()).toBe(true);
  }, 60_000);

  it("a missing --client-ca-file crashes kube-apiserver with the real error", async () => {
    const h = await setup();
    await h.edit("kube-apiserver", (text) =>
      text.replace(
        "- --client-ca-file=/etc/kubernetes/pki/ca.crt",
        "- --client-ca-file=/etc/kubernetes/pki/ca-authority.crt",
      ),
    );
    await h.clock.advance(30_000);
    expect(h.cluster.controlPlane.apiReachable()).toBe(false);
    const log = h.logs("kube-apiserver-controlplane", "kube-apiserver", true);
    expect(log).toContain("server.go:143] Version: v1.32.0\n");
    expect(log).toMatch(
      /\nE\d{4} [\d:.]{15} {7}1 run\.go:72\] "command failed" err="open \/etc\/kubernetes\/pki\/ca-authority\.crt: no such file or directory"\n$/,
    );
  }, 60_000);
  it("a manifest that does not parse is left out with the kubelet's journal line: its pod stops", async () => {
    const h = await setup();
    await h.edit("kube-scheduler", (text) => text.replace("apiVersion: v1", "apiVersio: v1"));
    await h.clock.advance(35_000);
    const services = (h.cluster.components.get("kubelet") as Array<{ services?: NodeServices }>).find(
      (component) => component.services?.nodeName === "controlplane",
    )?.services;
    const line = services?.journal
      .read("kubelet")
      .map((entry) => entry.text)
      .find((text) => text.includes("Could not process manifest file"));
    expect(line).toMatch(
      /^E\d{4} [\d:.]{15} +\d+ file\.go:187\] "Could not process manifest file" err="\/etc\/kubernetes\/manifests\/kube-scheduler\.yaml: couldn't parse as pod\(Object 'apiVersion' is missing in '\{\\"apiVersio\\":\\"v1\\",\\"kind\\":\\"Pod\\",\\"metadata\\":/,
    );
    expect(line).toContain(`), please check config file" path="/etc/kubernetes/manifests/kube-scheduler.yaml"`);
    expect(h.cluster.controlPlane.isServing("kube-scheduler")).toBe(false);
    await expect(h.client.get<Pod>(Pods, "kube-system", "kube-scheduler-controlplane")).rejects.toThrow(/not found/);
  }, 60_000);
});
