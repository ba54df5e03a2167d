import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import { type ExerciseResult, gradeExercise } from "../checks/index";
import { Exercise } from "../format/schema";
import { GradingCluster } from "../run/GradingCluster";
import { liveLesson } from "./liveLesson";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > ms) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

/** A hosted cluster served over HTTP, counting the watch requests it receives. */
async function hostedCluster() {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-live-lesson-"));
  const host = new ClusterHost({ dataDir: folder, components: [], persistDelayMs: 50 });
  const served = await serveHost(host);
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  cleanups.push(async () => {
    await served.close();
    await host.close();
  });
  const { id, token } = await host.create();
  const watches: string[] = [];
  const reads: string[] = [];
  served.server.on("request", (request) => {
    const url = new URL(request.url ?? "/", "http://x");
    const resource = url.pathname.replace(`/clusters/${id}`, "");
    if (url.searchParams.get("watch") === "true") watches.push(resource);
    else if (request.method === "GET") reads.push(resource);
  });
  const client = new GradingCluster(
    host.kubeconfig(id, await host.issueToken(id, "grader"), `${served.url}/clusters/${id}`),
  );
  const create = (kind: "configmaps" | "secrets", name: string) =>
    fetch(`${served.url}/clusters/${id}/api/v1/namespaces/default/${kind}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metadata: { name } }),
    });
  return { host, id, folder, client, create, watches, reads };
}

/** Six exercises, as on the practice assessment's page: three name ConfigMaps (by three names of the kind), two Pods, one a Secret. */
const exercises = [
  ["cm-a", "ConfigMap", "alpha"],
  ["cm-b", "cm", "bravo-settings"],
  ["cm-c", "configmaps", "charlie-config"],
  ["pod-p", "Pod", "p"],
  ["pod-q", "po", "q"],
  ["secret-s", "Secret", "s"],
].map(([id, kind, name]) =>
  Exercise.parse({ id, title: id, solution: "true", checks: [{ type: "exists", kind, name }] }),
);

describe("liveLesson", () => {
  it("grades every exercise of a lesson over one set of watches, and sends only what changed", async () => {
    const { host, id, folder, client, create, watches } = await hostedCluster();
    const results: ExerciseResult[] = [];
    const grades = new Map<string, number>();
    const running = new Set<string>();
    let overlapped = false;
    const stop = await liveLesson({
      exercises,
      client: async () => client,
      grade: async (exercise, cluster) => {
        // One run at a time per exercise.
        if (running.has(exercise.id)) overlapped = true;
        running.add(exercise.id);
        grades.set(exercise.id, (grades.get(exercise.id) ?? 0) + 1);
        try {
          return await gradeExercise(exercise, { cluster, lessonFolder: folder }, { noWait: true });
        } finally {
          running.delete(exercise.id);
        }
      },
      onResult: (result) => {
        results.push(result);
      },
      watch: { coalesceMs: 50, retryMinMs: 50, retryMaxMs: 200 },
    });
    cleanups.push(stop);

    // One watch per resource type for the whole lesson, not one set per exercise.
    expect([...watches].sort()).toEqual(["/api/v1/configmaps", "/api/v1/pods", "/api/v1/secrets"]);
    await until(() => results.length === 6);
    expect(results.map((result) => [result.exerciseId, result.status])).toEqual(
      exercises.map((exercise) => [exercise.id, "fail"]),
    );

    // A ConfigMap: only the ConfigMap exercises are graded again, and only the one that changed is sent.
    await settle();
    results.length = 0;
    const before = new Map(grades);
    expect((await create("configmaps", "alpha")).status).toBe(201);
    await until(() => results.length === 1);
    await settle();
    expect(results.map((result) => [result.exerciseId, result.status])).toEqual([["cm-a", "pass"]]);
    for (const exercise of ["cm-a", "cm-b", "cm-c"])
      expect(grades.get(exercise)).toBeGreaterThan(before.get(exercise) ?? 0);
    for (const exercise of ["pod-p", "pod-q", "secret-s"]) expect(grades.get(exercise)).toBe(before.get(exercise));

    // A burst of changes: each affected exercise is graded by one run at a time, and each change sent once.
    results.length = 0;
    await Promise.all([
      create("secrets", "s"),
      create("configmaps", "bravo-settings"),
      create("configmaps", "charlie-config"),
    ]);
    await until(() => results.length === 3);
    expect(results.map((result) => result.exerciseId).sort()).toEqual(["cm-b", "cm-c", "secret-s"]);
    expect(overlapped).toBe(false);

    // Reset cluster: the watches start again on the new cluster and every exercise is graded again.
    await settle();
    results.length = 0;
    const watchesBefore = watches.length;
    await host.reset(id);
    await until(() => results.length === 4);
    expect(results.map((result) => [result.exerciseId, result.status]).sort()).toEqual([
      ["cm-a", "fail"],
      ["cm-b", "fail"],
      ["cm-c", "fail"],
      ["secret-s", "fail"],
    ]);
    expect(watches.length - watchesBefore).toBe(3);

    // Stopped: no more grading, no more results.
    stop();
    await settle(100);
    const graded = [...grades.values()].reduce((sum, count) => sum + count, 0);
    results.length = 0;
    expect((await create("configmaps", "alpha")).status).toBe(201);
    await settle();
    expect(results).toEqual([]);
    expect([...grades.values()].reduce((sum, count) => sum + count, 0)).toBe(graded);
  });

  it("shares identical reads among the exercises it grades together, each getting its own copy", async () => {
    const { folder, client, create, reads } = await hostedCluster();
    expect((await create("configmaps", "alpha")).status).toBe(201);

    // Identical reads in flight together: one request, an answer of its own for each.
    const view = client.sharingReads();
    const info = await client.resolve("ConfigMap");
    const start = reads.length;
    const [first, second] = await Promise.all([view.list(info, "default"), view.list(info, "default")]);
    expect(reads.length - start).toBe(1);
    expect(first).toEqual(second);
    (first[0] as { metadata: { name: string } }).metadata.name = "changed by a check";
    expect(second[0]?.metadata?.name).not.toBe("changed by a check");
    // A read made after the shared one was answered asks again.
    await view.list(info, "default");
    expect(reads.length - start).toBe(2);

    // Three exercises whose checks read the same ConfigMap (and list the ConfigMaps: alpha and the
    // namespace's kube-root-ca.crt), graded together.
    const same = ["one", "two", "three"].map((id) =>
      Exercise.parse({
        id,
        title: id,
        solution: "true",
        checks: [
          { type: "exists", kind: "ConfigMap", name: "alpha" },
          { type: "count", kind: "ConfigMap", exactly: 2 },
        ],
      }),
    );
    const results: ExerciseResult[] = [];
    const stop = await liveLesson({
      exercises: same,
      client: async () => client,
      grade: (exercise, cluster) => gradeExercise(exercise, { cluster, lessonFolder: folder }, { noWait: true }),
      onResult: (result) => {
        results.push(result);
      },
      watch: { coalesceMs: 50, retryMinMs: 50, retryMaxMs: 200 },
    });
    cleanups.push(stop);
    await until(() => results.length === 3);
    expect(results.map((result) => [result.exerciseId, result.status])).toEqual([
      ["one", "pass"],
      ["two", "pass"],
      ["three", "pass"],
    ]);
    expect(reads.filter((resource) => resource === "/api/v1/namespaces/default/configmaps/alpha")).toHaveLength(1);

    // A later change is graded from new reads, not from the earlier round's.
    results.length = 0;
    expect((await create("configmaps", "bravo")).status).toBe(201);
    await until(() => results.length === 3);
    expect(results.map((result) => result.status)).toEqual(["fail", "fail", "fail"]);
    expect(reads.filter((resource) => resource === "/api/v1/namespaces/default/configmaps/alpha")).toHaveLength(2);
  });
});
