import { describe, expect, it } from "vitest";
import type { Event, Pod } from "../api/core";
import type { EndpointSlice } from "../api/discovery";
import { EndpointSlices, Events, Pods, Services, StatefulSets } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "../cluster/createCluster";

/**
 * The whole data path in one in-process cluster: the scheduler places pods, kubelets run them,
 * the EndpointSlice controller publishes them, kube-proxy's rules and CoreDNS route to them.
 */
describe("a cluster's network, end to end", () => {
  it("schedules a pod, publishes it behind a Service and answers through DNS and the ClusterIP", async () => {
    const clock = new VirtualClock();
    const cluster = createCluster({ clock, speed: "fast", random: seededRandom(42) });
    await cluster.ready;
    await clock.advance(5_000);
    const client = cluster.client();
    await client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80, name: "http" }] }] },
    });
    await client.create(Services, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: "http" }] },
    });
    await clock.advance(30_000);
    const pod = await client.get<Pod>(Pods, "default", "web");
    expect(["node01", "node02"]).toContain(pod.spec?.nodeName);
    const events = (await client.list<Event>(Events, "default")).items.filter((e) => e.involvedObject.name === "web");
    expect(events.find((e) => e.reason === "Scheduled")?.message).toBe(
      `Successfully assigned default/web to ${pod.spec?.nodeName}`,
    );
    expect(pod.status?.phase).toBe("Running");
    const slices = await client.list<EndpointSlice>(EndpointSlices, "default", {
      labelSelector: "kubernetes.io/service-name=web",
    });
    expect(slices.items[0]?.endpoints?.[0]?.addresses).toEqual([pod.status?.podIP]);

    const network = cluster.network;
    if (!network) throw new Error("no network");
    const source = { ip: "10.244.9.9", namespace: "default" };
    const answer = await network.resolve(source, "web");
    const service = await client.get(Services, "default", "web");
    expect(answer.addresses).toEqual([service.spec.clusterIP]);
    const connection = await network.connect(source, "web", 80);
    expect(connection.remote).toEqual({ ip: pod.status?.podIP, port: 80 });
    const response = await connection.http({ method: "GET", path: "/", headers: { host: "web" } });
    expect(response.status).toBe(200);
    expect(response.body).toContain("Welcome to nginx!");

    const saved = cluster.kubeProxy?.iptablesSave(pod.spec?.nodeName ?? "") ?? "";
    expect(saved).toContain(
      `-A KUBE-SERVICES -d ${service.spec.clusterIP}/32 -p tcp -m comment --comment "default/web cluster IP"`,
    );
    expect(saved).toContain(`--to-destination ${pod.status?.podIP}:80`);
    cluster.stop();
  });

  it("gives StatefulSet pods stable names through their headless Service", async () => {
    const clock = new VirtualClock();
    const cluster = createCluster({ clock, speed: "fast", random: seededRandom(7) });
    await cluster.ready;
    await clock.advance(5_000);
    const client = cluster.client();
    await client.create(Services, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: "default" },
      spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 80 }] },
    });
    await client.create(StatefulSets, {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: "default" },
      spec: {
        serviceName: "db",
        replicas: 2,
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
      },
    });
    await clock.advance(60_000);
    const network = cluster.network;
    if (!network) throw new Error("no network");
    const source = { ip: "10.244.9.9", namespace: "default" };
    const pods = await Promise.all(["db-0", "db-1"].map((name) => client.get<Pod>(Pods, "default", name)));
    expect((await network.resolve(source, "db-0.db")).addresses).toEqual([pods[0].status?.podIP]);
    expect((await network.resolve(source, "db-1.db.default.svc.cluster.local")).addresses).toEqual([
      pods[1].status?.podIP,
    ]);
    expect((await network.resolve(source, "db")).addresses.sort()).toEqual(pods.map((p) => p.status?.podIP).sort());
    // A headless service has no rules: kube-proxy leaves it to DNS.
    expect(cluster.kubeProxy?.iptablesSave("node01")).not.toContain("default/db");
    cluster.stop();
  });
});
