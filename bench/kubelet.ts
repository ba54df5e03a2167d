// Kubelet measurements (run: node --expose-gc --import tsx bench/kubelet.ts) for the report: apply-to-Ready latency in fast speed and heap per running pod.
import type { Pod } from "../engine/api/core";
import { Pods } from "../engine/api/resources";
import { createCluster } from "../engine/cluster/createCluster";

const keepAlive = setInterval(() => {}, 1000);
const cluster = createCluster({ speed: "fast" });
await cluster.ready;
const client = cluster.client();
await new Promise((r) => setTimeout(r, 500));

async function timeToReady(name: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    let scheduled = 0;
    const stop = client.watch<Pod>(Pods, "default", { fieldSelector: `metadata.name=${name}` }, (event) => {
      if (!scheduled && event.object.spec?.nodeName) {
        scheduled = performance.now() - start;
      }
      if (event.object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) {
        stop();
        console.log(`  scheduled after ${scheduled.toFixed(1)} ms`);
        resolve(performance.now() - start);
      }
    });
    void client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    });
  });
}
const latencies: number[] = [];
for (let i = 0; i < 10; i++) latencies.push(await timeToReady(`ready-${i}`));
console.log("apply→Ready (ms):", latencies.map((n) => n.toFixed(1)).join(" "));

global.gc?.();
const before = process.memoryUsage().heapUsed;
const count = 200;
for (let i = 0; i < count; i++) {
  await client.create(Pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `heap-${i}`, namespace: "default" },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
  });
}
await new Promise((r) => setTimeout(r, 3000));
const pods = await client.list<Pod>(Pods, "default");
const running = pods.items.filter((p) => p.status?.phase === "Running").length;
const byState = new Map<string, number>();
for (const p of pods.items) {
  const key = `${p.spec?.nodeName ?? "-"} ${p.status?.phase} ${p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ""}`;
  byState.set(key, (byState.get(key) ?? 0) + 1);
}
console.log(byState);
global.gc?.();
const after = process.memoryUsage().heapUsed;
console.log(
  `running pods: ${running}; heap per pod: ${((after - before) / count / 1024).toFixed(1)} KiB (includes API objects, events, watch caches)`,
);
cluster.stop();
clearInterval(keepAlive);
process.exit(0);
