import { PassThrough } from "node:stream";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCluster, type TestCluster } from "./support";

/** @kubernetes/client-node 1.4.0, unchanged, against `kubelab cluster up`. */
describe("client-node against the standalone cluster", () => {
  let cluster: TestCluster;
  let config: k8s.KubeConfig;

  beforeAll(async () => {
    cluster = await startTestCluster();
    config = new k8s.KubeConfig();
    config.loadFromFile(cluster.kubeconfig);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("reads and writes through the typed APIs", async () => {
    const core = config.makeApiClient(k8s.CoreV1Api);
    const created = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "from-client-node" }, data: { a: "1" } },
    });
    expect(created.metadata?.uid).toBeTruthy();
    const read = await core.readNamespacedConfigMap({ namespace: "default", name: "from-client-node" });
    expect(read.data).toEqual({ a: "1" });
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((namespace) => namespace.metadata?.name)).toEqual(
      expect.arrayContaining(["default", "kube-system", "kube-public", "kube-node-lease"]),
    );
    await expect(core.readNamespacedPod({ namespace: "default", name: "missing" })).rejects.toMatchObject({
      code: 404,
    });
  });

  it("uses legacy discovery through KubernetesObjectApi", async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(config);
    const deployment: k8s.KubernetesObject & { spec: unknown } = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "generic", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "generic" } },
        template: { metadata: { labels: { app: "generic" } }, spec: { containers: [{ name: "web", image: "nginx" }] } },
      },
    };
    const created = await objects.create(deployment);
    expect(created.metadata?.uid).toBeTruthy();
    const read = await objects.read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "generic", namespace: "default" },
    });
    expect((read as { spec?: { replicas?: number } }).spec?.replicas).toBe(1);
    const patched = await objects.patch(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "generic", namespace: "default", labels: { patched: "yes" } },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      k8s.PatchStrategy.MergePatch,
    );
    expect(patched.metadata?.labels).toEqual({ patched: "yes" });
  });

  it("watches", async () => {
    const events: string[] = [];
    const watch = new k8s.Watch(config);
    const request = await watch.watch(
      "/api/v1/namespaces/default/configmaps",
      {},
      (type: string, object: k8s.V1ConfigMap) => events.push(`${type} ${object.metadata?.name}`),
      () => {},
    );
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "watched" } } });
    await core.deleteNamespacedConfigMap({ namespace: "default", name: "watched" });
    const seen = await eventually(() => events.includes("ADDED watched") && events.includes("DELETED watched"));
    request.abort();
    expect(seen, events.join("\n")).toBe(true);
  });

  it("execs over the v5 channel protocol and reads logs", async () => {
    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "shell" }, spec: { containers: [{ name: "main", image: "nginx" }] } },
    });
    const running = await eventually(async () => {
      const pod = await core.readNamespacedPod({ namespace: "default", name: "shell" });
      return pod.status?.phase === "Running";
    }, 30_000);
    expect(running).toBe(true);

    const stdout = new PassThrough();
    let output = "";
    stdout.on("data", (chunk) => {
      output += chunk;
    });
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(config)
        .exec("default", "shell", "main", ["sh", "-c", "exit 0"], stdout, null, null, false, (result) =>
          resolve(result),
        )
        .catch(reject);
    });
    expect(status.status).toBe("Success");
    void output;
    const failed = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(config)
        .exec("default", "shell", "main", ["sh", "-c", "exit 3"], stdout, null, null, false, (result) =>
          resolve(result),
        )
        .catch(reject);
    });
    expect(failed).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });

    const logs = new PassThrough();
    let text = "";
    logs.on("data", (chunk) => {
      text += chunk;
    });
    await new k8s.Log(config).log("default", "shell", "main", logs, { follow: false });
    expect(await eventually(() => text.length > 0)).toBe(true);
  });
});
