import { afterEach, describe, expect, it } from "vitest";
import type { Event, Pod } from "../api/core";
import { Events, Pods } from "../api/resources";
import { VirtualClock } from "../clock/VirtualClock";
import { type Cluster, createCluster } from "../cluster/createCluster";
import { KeyValueStore } from "../store/KeyValueStore";
import { InMemoryNodeFileSystem } from "./NodeFileSystem";

const clusters: Cluster[] = [];
afterEach(() => {
  for (const cluster of clusters.splice(0)) cluster.stop();
});

/** A kubelet-only cluster over `store`, with node file systems that outlive it (as a host's snapshot keeps them). */
async function boot(clock: VirtualClock, fileSystems: Map<string, InMemoryNodeFileSystem>, store?: KeyValueStore) {
  const cluster = createCluster({
    clock,
    speed: "fast",
    store,
    components: ["kubelet"],
    nodeFileSystem: (node) => {
      let fs = fileSystems.get(node);
      if (!fs) {
        fs = new InMemoryNodeFileSystem();
        fileSystems.set(node, fs);
      }
      return fs;
    },
  });
  clusters.push(cluster);
  await clock.advance(0);
  await cluster.ready;
  return cluster;
}

function logs(cluster: Cluster, node: string, pod: string, container: string): string {
  const stream = cluster.apiServer.kubelets.get(node)?.logs({
    namespace: "default",
    pod,
    container,
    follow: false,
    previous: false,
    timestamps: true,
  });
  let text = "";
  stream?.onData((chunk) => {
    text += chunk;
  });
  return text;
}

/** What a restarted kubelet must keep of each pod. */
function identity(pods: Pod[]) {
  return pods
    .map((pod) => ({
      name: `${pod.metadata.namespace}/${pod.metadata.name}`,
      uid: pod.metadata.uid,
      podIP: pod.status?.podIP,
      startTime: pod.status?.startTime,
      containers: [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map(
        (status) => ({
          name: status.name,
          containerID: status.containerID,
          restartCount: status.restartCount,
          state: status.state,
          ready: status.ready,
        }),
      ),
      conditions: pod.status?.conditions?.map((c) => `${c.type}=${c.status}@${c.lastTransitionTime}`),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe("kubelet restart over a restored store", () => {
  it("takes its running pods back: same containers, restart counts, start times and IPs, no events; apps keep answering", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 30, 5, 0, 0));
    const fileSystems = new Map<string, InMemoryNodeFileSystem>();
    const first = await boot(clock, fileSystems);
    const client = first.client();
    const pod = (name: string, node: string, spec: Pod["spec"]) =>
      client.create<Pod>(Pods, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "default" },
        spec: { nodeName: node, ...spec } as Pod["spec"],
      });
    await pod("web", "node01", {
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5 },
          livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 10 },
        },
      ],
    });
    await pod("ticker", "node02", {
      initContainers: [{ name: "setup", image: "busybox:1.36", command: ["sh", "-c", "echo ready"] }],
      containers: [
        { name: "tick", image: "busybox:1.36", command: ["sh", "-c", "while true; do echo tick; sleep 10; done"] },
      ],
    });
    await pod("crash", "node02", {
      containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo boom; exit 1"] }],
    });
    await clock.advance(40_000);
    const before = (await client.list<Pod>(Pods)).items;
    const crash = before.find((p) => p.metadata.name === "crash")?.status?.containerStatuses?.[0];
    expect(crash?.state?.waiting?.reason).toBe("CrashLoopBackOff");
    const crashRestarts = crash?.restartCount ?? 0;
    const webLog = logs(first, "node01", "web", "web");
    expect(webLog).toContain("Configuration complete; ready for start up");
    // The crash-looping pod restarts on its back-off's schedule, which recorded events do not change.
    const eventsBut = async (c: typeof client, name = "crash") =>
      (await c.list<Event>(Events)).items
        .filter((event) => event.involvedObject.name !== name)
        .map((event) => `${event.metadata.uid} ${event.involvedObject.name} ${event.reason} ${event.count}`)
        .sort();
    const events = await eventsBut(client);

    // The host saves the store (and the node file systems), the cluster stops, time passes, it comes back.
    const saved = first.store.snapshot();
    first.stop();
    await clock.advance(60_000);
    const store = new KeyValueStore();
    store.restore(saved);
    const second = await boot(clock, fileSystems, store);
    await clock.advance(1_000);
    const restored = second.client();
    const after = (await restored.list<Pod>(Pods)).items;
    const stable = (pods: Pod[]) => identity(pods).filter((entry) => entry.name !== "default/crash");
    expect(stable(after)).toEqual(stable(before));
    expect(identity(after).map((entry) => entry.name)).toEqual(identity(before).map((entry) => entry.name));
    // The control-plane static pods (their mirrors kept) included: nothing was created, started or pulled again.
    expect(after.filter((p) => p.metadata.annotations?.["kubernetes.io/config.mirror"])).toHaveLength(4);
    expect(await eventsBut(restored)).toEqual(events);

    // nginx answers on the same IP, its log reads as before and goes on.
    const web = after.find((p) => p.metadata.name === "web");
    const connection = await second.network?.connect({ ip: "10.244.2.9" }, web?.status?.podIP ?? "", 80);
    const response = await connection?.http({ method: "GET", path: "/", headers: { "User-Agent": "curl/8.11.1" } });
    connection?.close();
    expect(response?.status).toBe(200);
    expect(response?.body).toContain("Welcome to nginx!");
    const webLogAfter = logs(second, "node01", "web", "web");
    // Its start-up lines dated at its start (to the second the status records); what it wrote
    // later (probe requests) is not in a snapshot; new requests are logged as they come.
    const startUp = (text: string) =>
      text
        .split("\n")
        .filter((line) => line && !line.includes("HTTP/1.1"))
        .map((line) => line.replace(/^(\S+?)\.\d+Z/, "$1Z"));
    expect(startUp(webLog)).toHaveLength(17);
    expect(startUp(webLogAfter)).toEqual(startUp(webLog));
    expect(webLogAfter.trimEnd().split("\n").at(-1)).toMatch(
      /^2026-11-30T05:01:41\.\d+Z 10\.244\.2\.9 - - \[30\/Nov\/2026:05:01:41 \+0000\] "GET \/ HTTP\/1.1" 200 615 "-" "curl\/8.11.1"/,
    );
    // The shell loop runs on.
    const ticks = logs(second, "node02", "ticker", "tick").split("\n").length;
    await clock.advance(20_000);
    expect(logs(second, "node02", "ticker", "tick").split("\n").length).toBeGreaterThan(ticks);

    // Probes resumed without a flip: still Ready, still no new event.
    await clock.advance(60_000);
    const webLater = await restored.get<Pod>(Pods, "default", "web");
    expect(identity([webLater])).toEqual(identity(before.filter((p) => p.metadata.name === "web")));
    expect(await eventsBut(restored)).toEqual(events);

    // The crash-looping container keeps its count and back-off, and goes on restarting from there.
    const crashAfter = (await restored.get<Pod>(Pods, "default", "crash")).status?.containerStatuses?.[0];
    expect(crashAfter?.restartCount).toBeGreaterThan(crashRestarts);
  });
});
