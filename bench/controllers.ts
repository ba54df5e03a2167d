/**
 * Controller manager benchmark (issue 4): a 1,000-replica Deployment created and then rolled out
 * to a new image, on the virtual clock, against the real in-process API server. Reports the
 * rollout's virtual duration, the API writes the controllers made (create/update/patch/delete,
 * events included) and the wall-clock CPU it took. A fake kubelet (not counted) binds each pod and
 * makes it Ready `--ready` seconds after it appears, and removes terminating pods after 1 s.
 * Run: `npx tsx bench/controllers.ts [--replicas 1000] [--ready 2]`.
 *
 * `--huge 100000` instead scales a Deployment to that many replicas and, for `--seconds` of wall
 * time, measures how many pods the controllers create and the worst event-loop stall (the work is
 * bounded to 500 pods per sync, in slow-start batches that yield), then deletes the Deployment.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Deployment } from "../engine/api/apps";
import type { Pod } from "../engine/api/core";
import { Deployments, Pods } from "../engine/api/resources";
import type { Client } from "../engine/client/Client";
import { toRfc3339 } from "../engine/clock/Clock";
import { VirtualClock } from "../engine/clock/VirtualClock";
import { createCluster } from "../engine/cluster/createCluster";
import { startControllerManager } from "../engine/controllers";

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** Counts the writes made through a client, by verb. */
function countingClient(client: Client, counts: Record<string, number>): Client {
  const count = (verb: string) => {
    counts[verb] = (counts[verb] ?? 0) + 1;
  };
  return {
    ...client,
    get: client.get.bind(client),
    list: client.list.bind(client),
    watch: client.watch.bind(client),
    create: (...args) => {
      count("create");
      return client.create(...args);
    },
    update: (...args) => {
      count("update");
      return client.update(...args);
    },
    patch: (...args) => {
      count("patch");
      return client.patch(...args);
    },
    delete: (...args) => {
      count("delete");
      return client.delete(...args);
    },
    createSubresource: (...args) => {
      count("create");
      return client.createSubresource(...args);
    },
  };
}

async function huge(replicas: number, seconds: number) {
  const clock = new VirtualClock();
  const cluster = createCluster({ clock, components: [] });
  await cluster.ready;
  const admin = cluster.client();
  const manager = startControllerManager(
    { clock, speed: "fast", client: admin, log: () => {} },
    { controllers: ["deployment", "replicaset"] },
  );
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const start = performance.now();
  await admin.create(Deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "huge", namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "huge" } },
      template: { metadata: { labels: { app: "huge" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
    },
  });
  // Let the virtual clock and the event loop turn, as a served cluster would, for `seconds`.
  while (performance.now() - start < seconds * 1000) {
    await clock.advance(10);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  delay.disable();
  const pods = (await admin.list<Pod>(Pods, "default", { labelSelector: "app=huge" })).items.length;
  console.log(
    `huge: ${replicas} replicas asked; ${pods} pods created in ${seconds} s wall (${(pods / seconds).toFixed(0)} pods/s); ` +
      `event loop delay max ${(delay.max / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, mean ${(delay.mean / 1e6).toFixed(1)} ms`,
  );
  manager.stop();
  cluster.stop();
}

async function main() {
  const hugeReplicas = arg("huge", 0);
  if (hugeReplicas > 0) {
    await huge(hugeReplicas, arg("seconds", 20));
    return;
  }
  const replicas = arg("replicas", 1000);
  const readySeconds = arg("ready", 2);
  const clock = new VirtualClock();
  const cluster = createCluster({ clock, components: [] });
  await cluster.ready;
  const admin = cluster.client();
  const counts: Record<string, number> = {};
  const manager = startControllerManager(
    { clock, speed: "fast", client: countingClient(admin, counts), log: () => {} },
    { controllers: ["deployment", "replicaset", "garbagecollector"] },
  );

  // The fake kubelet.
  const nodes = ["node01", "node02", "node03", "node04"];
  let ip = 0;
  const kubelet = async () => {
    const now = clock.now();
    for (const pod of (await admin.list<Pod>(Pods, "default")).items) {
      if (pod.metadata.deletionTimestamp) {
        if (Date.parse(pod.metadata.deletionTimestamp) - 29_000 <= now)
          await admin
            .delete(Pods, "default", pod.metadata.name ?? "", { gracePeriodSeconds: 0 })
            .catch(() => undefined);
        continue;
      }
      if (pod.status?.phase === "Running") continue;
      if (Date.parse(pod.metadata.creationTimestamp ?? "") + readySeconds * 1000 > now) continue;
      const name = pod.metadata.name ?? "";
      await admin.createSubresource(Pods, "default", name, "binding", {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name },
        target: { apiVersion: "v1", kind: "Node", name: nodes[ip % nodes.length] },
      });
      const bound = await admin.get<Pod>(Pods, "default", name);
      const time = toRfc3339(now);
      ip++;
      bound.status = {
        phase: "Running",
        podIP: `10.244.${ip >> 8}.${ip & 255}`,
        conditions: [
          { type: "Ready", status: "True", lastTransitionTime: time },
          { type: "ContainersReady", status: "True", lastTransitionTime: time },
        ],
      };
      await admin.update(Pods, bound, { subresource: "status" });
    }
  };

  const complete = async (image: string) => {
    const d = await admin.get<Deployment>(Deployments, "default", "web");
    const s = d.status;
    return (
      (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
      s?.updatedReplicas === replicas &&
      s?.replicas === replicas &&
      s?.availableReplicas === replicas &&
      d.spec?.template.spec?.containers[0].image === image
    );
  };

  const run = async (label: string, image: string, action: () => Promise<unknown>) => {
    for (const key of Object.keys(counts)) delete counts[key];
    const virtualStart = clock.now();
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    await action();
    let steps = 0;
    for (;;) {
      for (let i = 0; i < 100 && !manager.idle; i++) await clock.advance(0);
      if (await complete(image)) break;
      await clock.advance(1000);
      await kubelet();
      if (++steps > 3600) throw new Error(`${label}: not complete after an hour of virtual time`);
    }
    const cpu = process.cpuUsage(cpuStart);
    const writes = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(
      `${label}: ${replicas} replicas in ${((clock.now() - virtualStart) / 1000).toFixed(0)} s virtual, ` +
        `${writes} API writes by the controllers (${Object.entries(counts)
          .map(([verb, n]) => `${verb} ${n}`)
          .join(", ")}), ${((performance.now() - wallStart) / 1000).toFixed(2)} s wall, ` +
        `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`,
    );
  };

  await run("create", "nginx", () =>
    admin.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
      },
    }),
  );
  await run("rollout (25% surge, 25% unavailable)", "nginx:1.27", () =>
    admin.patch(Deployments, "default", "web", "json", [
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: "nginx:1.27" },
    ]),
  );
  console.log(`heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
  manager.stop();
  cluster.stop();
}

void main();
