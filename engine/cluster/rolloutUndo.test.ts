import { describe, expect, it } from "vitest";
import { Deployments, ReplicaSets } from "../api/resources";
import type { KubeObject } from "../api/types";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "./createCluster";

const REVISION = "deployment.kubernetes.io/revision";

describe("kubectl rollout undo", () => {
  it("re-adopts the old ReplicaSet (revision max+1) instead of creating a third one", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const cluster = createCluster({ clock, random: seededRandom(3), nodes: 1 });
    await cluster.ready;
    const client = cluster.client();
    const replicaSets = async () => (await client.list(ReplicaSets, "default", { labelSelector: "app=web" })).items;
    const settle = async (done: (sets: KubeObject[]) => boolean) => {
      for (let step = 0; step < 120; step++) {
        await clock.advance(500);
        if (done(await replicaSets())) return;
      }
      throw new Error(`did not settle: ${JSON.stringify((await replicaSets()).map((set) => set.spec))}`);
    };
    const replicasOf = (sets: KubeObject[]) => sets.map((set) => set.status?.readyReplicas ?? 0);
    // kubectl create deployment web --image=nginx:1.25 (the body kubectl sends: no defaults filled in)
    await client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.25", resources: {} }] },
        },
        strategy: {},
      },
    });
    await settle((sets) => sets.length === 1 && replicasOf(sets)[0] === 1);
    // kubectl set image deployment/web nginx=nginx:1.26 (a strategic merge patch)
    await client.patch(Deployments, "default", "web", "strategic", {
      spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.26" }] } } },
    });
    await settle(
      (sets) =>
        sets.length === 2 &&
        sets.some(
          (set) => set.spec.template.spec.containers[0].image === "nginx:1.26" && set.status?.readyReplicas === 1,
        ) &&
        sets.some((set) => set.spec.template.spec.containers[0].image === "nginx:1.25" && set.spec.replicas === 0),
    );
    // kubectl rollout undo: the template of revision 1 without pod-template-hash, as a JSON patch.
    const original = (await replicaSets()).find((set) => set.metadata.annotations?.[REVISION] === "1");
    if (!original) throw new Error("no revision 1");
    const template = structuredClone(original.spec.template);
    delete template.metadata.labels["pod-template-hash"];
    await client.patch(Deployments, "default", "web", "json", [
      { op: "replace", path: "/spec/template", value: template },
    ]);
    await settle(
      (sets) =>
        sets.some((set) => set.metadata.uid === original.metadata.uid && set.status?.readyReplicas === 1) &&
        sets.every((set) => set.metadata.uid === original.metadata.uid || set.spec.replicas === 0),
    );
    const sets = await replicaSets();
    expect(sets).toHaveLength(2);
    const readopted = sets.find((set) => set.metadata.uid === original.metadata.uid);
    expect(readopted?.metadata.annotations?.[REVISION]).toBe("3");
    expect(readopted?.spec.replicas).toBe(1);
    const deployment = await client.get(Deployments, "default", "web");
    expect(deployment.metadata.annotations?.[REVISION]).toBe("3");
    // Templates are defaulted as pod specs are (SetDefaults_PodSpec), but without SetDefaults_Pod's enableServiceLinks.
    expect(deployment.spec.template.spec).toMatchObject({
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      schedulerName: "default-scheduler",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      containers: [
        {
          imagePullPolicy: "IfNotPresent",
          resources: {},
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
        },
      ],
    });
    expect(deployment.spec.template.spec.enableServiceLinks).toBeUndefined();
    cluster.stop();
  });
});
