import { afterEach, describe, expect, it } from "vitest";
import type { Node, Pod } from "../../api/core";
import { Nodes, Pods } from "../../api/resources";
import { seededRandom } from "../../apiserver/testing/testServer";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { InMemoryNodeFileSystem } from "../NodeFileSystem";
import type { NodeServices } from "./NodeServices";

const START = Date.UTC(2026, 0, 1);
let cluster: Cluster | undefined;

afterEach(() => {
  cluster?.stop();
  cluster = undefined;
});

async function setUp() {
  const clock = new VirtualClock(START);
  const files = new Map<string, InMemoryNodeFileSystem>();
  const fileSystem = (node: string) => {
    let fs = files.get(node);
    if (!fs) {
      fs = new InMemoryNodeFileSystem();
      files.set(node, fs);
    }
    return fs;
  };
  cluster = createCluster({ clock, random: seededRandom(7), nodes: 1, speed: "fast", nodeFileSystem: fileSystem });
  await clock.advance(0);
  await cluster.ready;
  const client = cluster.client();
  await client.create<Pod>(Pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default" },
    spec: { nodeName: "node01", containers: [{ name: "web", image: "nginx:1.27" }] },
  });
  await clock.advance(30_000);
  const services = (cluster.components.get("kubelet") as unknown as Array<{ services: NodeServices }>).find(
    (component) => component.services.nodeName === "node01",
  )?.services as NodeServices;
  const node = async () => client.get<Node>(Nodes, undefined, "node01");
  const ready = async () => (await node()).status?.conditions?.find((condition) => condition.type === "Ready");
  const pod = async () => client.get<Pod>(Pods, "default", "web").catch(() => undefined);
  const journal = () => services.journal.read("kubelet").map((entry) => entry.text);
  return { clock, client, services, node, ready, pod, journal, fs: fileSystem("node01") };
}

describe("NodeServices", () => {
  it("systemctl stop kubelet: containers keep running, the node goes Unknown and tainted, pods are evicted after 300 s; start brings it back", async () => {
    const { clock, services, node, ready, pod, journal } = await setUp();
    const before = await pod();
    expect(before?.status?.phase).toBe("Running");
    const containerId = before?.status?.containerStatuses?.[0]?.containerID;
    expect(containerId).toBeDefined();
    await services.stop("kubelet");
    expect(services.status("kubelet")).toMatchObject({ activeState: "inactive", subState: "dead" });
    expect(journal().slice(-3)).toEqual([
      "Stopping kubelet.service - kubelet: The Kubernetes Node Agent...",
      "kubelet.service: Deactivated successfully.",
      "Stopped kubelet.service - kubelet: The Kubernetes Node Agent.",
    ]);
    const id = containerId?.replace("containerd://", "");
    const running = () =>
      services.containerRuntime?.listContainers().filter((c) => c.id === id && c.state === "running").length;
    expect(running()).toBe(1);

    await clock.advance(70_000);
    expect(await ready()).toMatchObject({
      status: "Unknown",
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });
    const taints = (await node()).spec?.taints?.map((taint) => `${taint.key}:${taint.effect}`);
    expect(taints).toEqual(
      expect.arrayContaining(["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"]),
    );
    expect(running()).toBe(1);
    // The pod tolerates unreachable:NoExecute for 300 s (DefaultTolerationSeconds): then it is deleted,
    // and stays Terminating while no kubelet is there to stop it.
    await clock.advance(300_000);
    expect((await pod())?.metadata.deletionTimestamp).toBeDefined();
    expect(running()).toBe(1);

    await services.start("kubelet");
    await clock.advance(15_000);
    expect((await ready())?.status).toBe("True");
    expect(await pod()).toBeUndefined();
    expect(running()).toBe(0);
  }, 60_000);

  it("a kubelet restart takes back the running containers: same container ids, no restarts", async () => {
    const { clock, services, pod, ready } = await setUp();
    const before = (await pod())?.status?.containerStatuses?.[0];
    await services.restart("kubelet");
    await clock.advance(10_000);
    const after = (await pod())?.status?.containerStatuses?.[0];
    expect(after?.containerID).toBe(before?.containerID);
    expect(after?.restartCount).toBe(0);
    expect(after?.state?.running?.startedAt).toBe(before?.state?.running?.startedAt);
    expect((await ready())?.status).toBe("True");
    expect(services.status("kubelet")).toMatchObject({ activeState: "active", subState: "running" });
  }, 60_000);

  it.each([
    {
      name: "a value of the wrong type in config.yaml",
      file: "/var/lib/kubelet/config.yaml",
      edit: (text: string) => `${text}maxPods: "110"\n`,
      error: `E0101 00:00:35.000000 {pid} run.go:72] "command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yaml, error: failed to load Kubelet config file /var/lib/kubelet/config.yaml, error failed to decode: json: cannot unmarshal string into Go struct field KubeletConfiguration.maxPods of type int32"`,
    },
    {
      name: "an unknown flag in kubeadm-flags.env",
      file: "/var/lib/kubelet/kubeadm-flags.env",
      edit: (text: string) => text.replace(/"\n$/, ' --improve-speed"\n'),
      error: `E0101 00:00:35.000000 {pid} run.go:72] "command failed" err="failed to parse kubelet flag: unknown flag: --improve-speed"`,
    },
    {
      name: "a wrong client CA file",
      file: "/var/lib/kubelet/config.yaml",
      edit: (text: string) => text.replace("/etc/kubernetes/pki/ca.crt", "/etc/kubernetes/pki/WRONG-CA-FILE.crt"),
      error: `E0101 00:00:35.000000 {pid} run.go:72] "command failed" err="failed to construct kubelet dependencies: unable to load client CA file /etc/kubernetes/pki/WRONG-CA-FILE.crt: open /etc/kubernetes/pki/WRONG-CA-FILE.crt: no such file or directory"`,
    },
    {
      name: "a wrong container runtime endpoint",
      file: "/var/lib/kubelet/kubeadm-flags.env",
      edit: (text: string) => text.replace("containerd.sock", "containerd.sok"),
      error: `E0101 00:00:35.000000 {pid} run.go:72] "command failed" err="failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///var/run/containerd/containerd.sok\\": rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: dial unix /var/run/containerd/containerd.sok: connect: no such file or directory\\""`,
    },
    {
      name: "kubelet.conf's CA file missing",
      file: "/etc/kubernetes/kubelet.conf",
      edit: (text: string) =>
        text.replace(/certificate-authority-data: \S+/, "certificate-authority: /etc/kubernetes/pki/missing.crt"),
      error: `E0101 00:00:35.000000 {pid} run.go:72] "command failed" err="failed to run Kubelet: unable to load bootstrap kubeconfig: stat /etc/kubernetes/bootstrap-kubelet.conf: no such file or directory"`,
    },
  ])(
    "$name: the restart fails as the kubelet does, systemd retries every 10 s, a fix brings it back",
    async ({ file, edit, error }) => {
      const { clock, services, fs, journal, ready } = await setUp();
      const original = (await fs.readFile(file)) ?? "";
      await fs.writeFile(file, edit(original));
      await clock.advance(5_000);
      await services.restart("kubelet");
      const status = services.status("kubelet");
      expect(status).toMatchObject({ activeState: "activating", subState: "auto-restart", result: "exit-code" });
      const pid = status?.lastProcess?.pid ?? 0;
      expect(status?.lastProcess?.status).toBe(1);
      expect(journal()).toContain(error.replace("{pid}", String(pid).padStart(7)));
      expect(journal().slice(-2)).toEqual([
        "kubelet.service: Main process exited, code=exited, status=1/FAILURE",
        "kubelet.service: Failed with result 'exit-code'.",
      ]);
      await clock.advance(10_000);
      expect(journal()).toContain("kubelet.service: Scheduled restart job, restart counter is at 1.");
      await clock.advance(60_000);
      expect((await ready())?.status).toBe("Unknown");
      await fs.writeFile(file, original);
      await clock.advance(10_000);
      expect(services.status("kubelet")).toMatchObject({ activeState: "active", subState: "running" });
      await clock.advance(10_000);
      expect((await ready())?.status).toBe("True");
    },
    60_000,
  );

  it("a misspelled staticPodPath is decoded leniently: the kubelet runs without static pods", async () => {
    const { clock, services, fs, journal } = await setUp();
    const file = "/var/lib/kubelet/config.yaml";
    await fs.writeFile(file, ((await fs.readFile(file)) ?? "").replace("staticPodPath", "staticPodPth"));
    await services.restart("kubelet");
    await clock.advance(1_000);
    expect(services.status("kubelet")?.activeState).toBe("active");
    expect(
      journal().some((line) =>
        line.endsWith(
          `"Using lenient decoding as strict decoding failed" err="strict decoding error: unknown field \\"staticPodPth\\""`,
        ),
      ),
    ).toBe(true);
  }, 60_000);

  it("containerd stopped: Ready False 'container runtime is down', then PLEG; started again: Ready", async () => {
    const { clock, services, ready } = await setUp();
    await services.stop("containerd");
    expect(services.containerdRunning).toBe(false);
    await clock.advance(45_000);
    expect(await ready()).toMatchObject({
      status: "False",
      reason: "KubeletNotReady",
      message: "container runtime is down",
    });
    await clock.advance(150_000);
    expect((await ready())?.message).toMatch(
      /^\[container runtime is down, PLEG is not healthy: pleg was last seen active 3m\d+(\.\d+)?s ago; threshold is 3m0s\]$/,
    );
    await services.start("containerd");
    await clock.advance(5_000);
    expect(await ready()).toMatchObject({ status: "True", reason: "KubeletReady" });
  }, 60_000);
});
