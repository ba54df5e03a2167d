import { afterEach, describe, expect, it } from "vitest";
import type { Deployment, ReplicaSet } from "../../api/apps";
import type { Event, Pod } from "../../api/core";
import { Deployments, Events, Pods, ReplicaSets } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";

function deployment(
  name: string,
  replicas: number,
  image = "nginx",
  extra: Partial<NonNullable<Deployment["spec"]>> = {},
): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "nginx", image }] } },
      ...extra,
    },
  };
}

async function get(harness: Harness, name = "web"): Promise<Deployment> {
  return harness.client.get<Deployment>(Deployments, "default", name);
}

async function setImage(harness: Harness, image: string, name = "web"): Promise<void> {
  await harness.client.patch(Deployments, "default", name, "json", [
    { op: "replace", path: "/spec/template/spec/containers/0/image", value: image },
  ]);
}

/** The fake kubelet runs pods and finishes terminations until the cluster stops changing. */
async function converge(harness: Harness, rounds = 30, onRound?: () => Promise<void>): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await harness.settle();
    await onRound?.();
    const ran = await harness.runPods();
    const finished = await harness.finishTerminating();
    if (ran.length === 0 && finished === 0) {
      await harness.settle();
      return;
    }
  }
}

async function replicaSets(harness: Harness, name = "web"): Promise<ReplicaSet[]> {
  return harness.list<ReplicaSet>(ReplicaSets, "default", `app=${name}`);
}

describe("DeploymentController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  it("creates a ReplicaSet named by the pod-template-hash and reports a complete rollout", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 3));
    await converge(harness);
    const [rs] = await replicaSets(harness);
    const hash = rs.metadata.labels?.["pod-template-hash"];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "1",
      "deployment.kubernetes.io/desired-replicas": "3",
      "deployment.kubernetes.io/max-replicas": "4",
    });
    expect(rs.spec?.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    const d = await get(harness);
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(d.status?.unavailableReplicas ?? 0).toBe(0);
    expect(d.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."],
      [
        "Progressing",
        "True",
        "NewReplicaSetAvailable",
        `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
      ],
    ]);
    const events = (await harness.list<Event>(Events, "default")).filter((e) => e.involvedObject.kind === "Deployment");
    expect(events.map((e) => `${e.reason}: ${e.message}`)).toEqual([
      `ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} from 0 to 3`,
    ]);
  });

  it("rolls out with maxUnavailable 0 without ever dropping below the desired availability", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(
      Deployments,
      deployment("web", 3, "nginx", {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      }),
    );
    await converge(harness);
    await setImage(harness, "nginx:1.27");
    let minReady = Number.POSITIVE_INFINITY;
    let maxPods = 0;
    await converge(harness, 40, async () => {
      const pods = (await harness.list<Pod>(Pods, "default", "app=web")).filter((p) => !p.metadata.deletionTimestamp);
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      minReady = Math.min(minReady, ready.length);
      maxPods = Math.max(maxPods, pods.length);
    });
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(maxPods).toBeLessThanOrEqual(4);
    const pods = await harness.list<Pod>(Pods, "default", "app=web");
    expect(pods.map((p) => p.spec?.containers[0].image)).toEqual(["nginx:1.27", "nginx:1.27", "nginx:1.27"]);
    const sets = await replicaSets(harness);
    expect(
      sets.map((rs) => [rs.metadata.annotations?.["deployment.kubernetes.io/revision"], rs.spec?.replicas]).sort(),
    ).toEqual([
      ["1", 0],
      ["2", 3],
    ]);
    const d = await get(harness);
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    const scaling = (await harness.list<Event>(Events, "default"))
      .filter((e) => e.reason === "ScalingReplicaSet")
      .map((e) => e.message);
    const newName = sets.find((rs) => rs.spec?.replicas === 3)?.metadata.name;
    const oldName = sets.find((rs) => rs.spec?.replicas === 0)?.metadata.name;
    expect(scaling).toContain(`Scaled up replica set ${newName} from 0 to 1`);
    expect(scaling).toContain(`Scaled down replica set ${oldName} from 3 to 2`);
  });

  it("never scales an old ReplicaSet back up during a rolling update (no pod of it is recreated)", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 40));
    await converge(harness);
    const created = new Map<string, number>();
    const { resourceVersion } = (await harness.client.list<Pod>(Pods, "default")).metadata;
    const stopWatch = harness.client.watch<Pod>(
      Pods,
      "default",
      { resourceVersion },
      (event) => {
        if (event.type !== "ADDED") return;
        const hash = event.object.metadata.labels?.["pod-template-hash"] ?? "";
        created.set(hash, (created.get(hash) ?? 0) + 1);
      },
      () => {},
    );
    await setImage(harness, "nginx:1.27");
    // New pods turn Ready a few at a time, so the Deployment syncs while the old ReplicaSet is
    // still deleting the pods it was scaled down by (its status then counts more than its spec).
    for (let round = 0; round < 60; round++) {
      await harness.settle();
      let budget = 3;
      await harness.runPods({ filter: (pod) => !pod.spec?.nodeName && budget-- > 0 });
      await harness.finishTerminating();
      const d = await get(harness);
      if (d.status?.updatedReplicas === 40 && d.status.availableReplicas === 40 && d.status.replicas === 40) break;
    }
    stopWatch();
    const sets = await replicaSets(harness);
    const oldHash = sets.find((rs) => rs.spec?.replicas === 0)?.metadata.labels?.["pod-template-hash"] ?? "";
    const newHash = sets.find((rs) => rs.spec?.replicas === 40)?.metadata.labels?.["pod-template-hash"] ?? "";
    expect(created.get(oldHash) ?? 0).toBe(0);
    expect(created.get(newHash)).toBe(40);
    const scaledUpOld = (await harness.list<Event>(Events, "default")).filter(
      (e) =>
        e.reason === "ScalingReplicaSet" &&
        e.message?.startsWith(`Scaled up replica set web-${oldHash}`) &&
        !e.message.includes(" from 0 to "),
    );
    expect(scaledUpOld).toEqual([]);
  });

  it("rolls back by re-adopting the old ReplicaSet with revision max+1", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 2));
    await converge(harness);
    const [first] = await replicaSets(harness);
    await setImage(harness, "nginx:1.27");
    await converge(harness);
    // What `kubectl rollout undo` sends: the old ReplicaSet's template without the hash label.
    await setImage(harness, "nginx");
    await converge(harness);
    const sets = await replicaSets(harness);
    expect(sets).toHaveLength(2);
    const back = sets.find((rs) => rs.metadata.uid === first.metadata.uid);
    expect(back?.spec?.replicas).toBe(2);
    expect(back?.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(back?.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect((await get(harness)).metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("does not roll out while paused, and resumes where it left off", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 2));
    await converge(harness);
    await harness.client.patch(Deployments, "default", "web", "merge", { spec: { paused: true } });
    await setImage(harness, "nginx:1.27");
    await converge(harness);
    expect(await replicaSets(harness)).toHaveLength(1);
    const paused = await get(harness);
    expect(paused.status?.conditions?.find((c) => c.type === "Progressing")).toMatchObject({
      status: "Unknown",
      reason: "DeploymentPaused",
      message: "Deployment is paused",
    });
    // Scaling while paused still applies.
    await harness.client.patch(Deployments, "default", "web", "merge", { spec: { replicas: 3 } });
    await converge(harness);
    expect((await replicaSets(harness))[0].spec?.replicas).toBe(3);
    await harness.client.patch(Deployments, "default", "web", "merge", { spec: { paused: false } });
    await converge(harness);
    const sets = await replicaSets(harness);
    expect(sets).toHaveLength(2);
    expect(sets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 3]);
    const done = await get(harness);
    expect(done.status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
  });

  it("Recreate scales the old ReplicaSet to zero and waits for its pods before creating new ones", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 2, "nginx", { strategy: { type: "Recreate" } }));
    await converge(harness);
    await setImage(harness, "nginx:1.27");
    await harness.settle();
    // Old pods are terminating (the fake kubelet has not finished them): no new ReplicaSet yet.
    const sets = await replicaSets(harness);
    expect(sets).toHaveLength(1);
    expect(sets[0].spec?.replicas).toBe(0);
    await converge(harness);
    const after = await replicaSets(harness);
    expect(after.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
  });

  it("reports ProgressDeadlineExceeded when the rollout stalls", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 1, "nginx", { progressDeadlineSeconds: 30 }));
    await harness.settle();
    await harness.settle(20_000);
    // Creating the pod was progress; nothing since.
    expect((await get(harness)).status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe(
      "ReplicaSetUpdated",
    );
    await harness.settle(15_000);
    const rs = (await replicaSets(harness))[0];
    expect((await get(harness)).status?.conditions?.find((c) => c.type === "Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
    });
  });

  it("keeps at most revisionHistoryLimit old ReplicaSets", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 1, "nginx", { revisionHistoryLimit: 1 }));
    await converge(harness);
    for (const image of ["nginx:1.25", "nginx:1.26", "nginx:1.27"]) {
      await setImage(harness, image);
      await converge(harness);
    }
    const sets = await replicaSets(harness);
    expect(sets.map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"]).sort()).toEqual(["3", "4"]);
  });

  it("scales proportionally in the middle of a rollout", async () => {
    harness = await createHarness({ controllers: ["deployment", "replicaset"] });
    await harness.client.create(Deployments, deployment("web", 10));
    await converge(harness);
    await setImage(harness, "nginx:1.27");
    await harness.settle(); // new RS at 3 (surge 3), old at 8 (unavailable 2)
    const before = (await replicaSets(harness)).map((rs) => rs.spec?.replicas ?? 0);
    expect(before.reduce((a, b) => a + b, 0)).toBe(13);
    await harness.client.patch(Deployments, "default", "web", "merge", { spec: { replicas: 20 } });
    await harness.settle();
    const after = (await replicaSets(harness)).map((rs) => rs.spec?.replicas ?? 0);
    // 20 + 25% surge = 25 in all, split in proportion.
    expect(after.reduce((a, b) => a + b, 0)).toBe(25);
  });
});
