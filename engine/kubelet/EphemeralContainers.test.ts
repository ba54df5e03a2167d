import { afterEach, describe, expect, it } from "vitest";
import type { Pod, PodSpec } from "../api/core";
import { Pods } from "../api/resources";
import { isApiError } from "../apiserver/ApiError";
import { kubeletCluster } from "./testing/harness";

let current: Awaited<ReturnType<typeof kubeletCluster>> | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

async function runningPod() {
  current = await kubeletCluster();
  await current.run({ spec: { containers: [{ name: "web", image: "nginx" }] } });
  await current.clock.advance(1_000);
  return current;
}

/** What `kubectl debug app --image=busybox -c NAME` sends (a strategic merge patch of the subresource). */
function addDebugContainer(h: Awaited<ReturnType<typeof runningPod>>, container: Record<string, unknown>) {
  return h.client.patch<Pod>(
    Pods,
    "default",
    "app",
    "strategic",
    { spec: { ephemeralContainers: [{ terminationMessagePolicy: "File", resources: {}, ...container }] } },
    { subresource: "ephemeralcontainers" },
  );
}

/** A copy of the pod whose spec a test changes. */
function copyOf(pod: Pod): Pod & { spec: PodSpec } {
  const copy = structuredClone(pod);
  copy.spec ??= { containers: [] };
  return copy as Pod & { spec: PodSpec };
}

async function invalidMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isApiError(error)) return `${error.reason}: ${error.message}`;
    throw error;
  }
  return "no error";
}

describe("pods/ephemeralcontainers", () => {
  it("adds a container the kubelet starts: ContainerCreating, then Running, with the kubelet's events", async () => {
    const h = await runningPod();
    const patched = await addDebugContainer(h, { name: "debugger", image: "busybox", stdin: true, tty: true });
    expect(patched.spec?.ephemeralContainers?.[0]).toMatchObject({
      name: "debugger",
      image: "busybox",
      imagePullPolicy: "Always",
      terminationMessagePath: "/dev/termination-log",
    });
    await h.clock.advance(0);
    let pod = await h.pod();
    expect(pod.status?.ephemeralContainerStatuses?.[0]).toMatchObject({
      name: "debugger",
      ready: false,
      state: { waiting: { reason: "ContainerCreating" } },
    });
    await h.clock.advance(1_000);
    pod = await h.pod();
    const status = pod.status?.ephemeralContainerStatuses?.[0];
    expect(status?.state?.running).toBeDefined();
    expect(status).not.toHaveProperty("started");
    // Ephemeral containers take no part in readiness or the pod's phase.
    expect(pod.status?.phase).toBe("Running");
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(pod.status?.containerStatuses).toHaveLength(1);
    expect(await h.events()).toEqual(
      expect.arrayContaining([
        'Normal Pulling: Pulling image "busybox"',
        "Normal Created: Created container: debugger",
        "Normal Started: Started container debugger",
      ]),
    );
  });

  it("a container that exits is never restarted", async () => {
    const h = await runningPod();
    await addDebugContainer(h, { name: "once", image: "busybox", command: ["sh", "-c", "exit 3"] });
    await h.clock.advance(60_000);
    const status = (await h.pod()).status?.ephemeralContainerStatuses?.[0];
    expect(status?.state?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(status?.restartCount).toBe(0);
  });

  it("--target joins the target's PID namespace: ps shows the target's processes", async () => {
    const h = await runningPod();
    await addDebugContainer(h, {
      name: "debugger",
      image: "busybox",
      command: ["sleep", "3600"],
      targetContainerName: "web",
    });
    await h.clock.advance(1_000);
    let output = "";
    const session = h.cluster.apiServer.kubelets.get("node01")?.exec({
      namespace: "default",
      pod: "app",
      container: "debugger",
      command: ["ps"],
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    session?.onStdout((chunk) => {
      output += new TextDecoder().decode(chunk);
    });
    await h.clock.advance(1_000);
    expect(output).toMatch(/^PID {3}USER {5}TIME {2}COMMAND\n {4}1 root {6}0:00 nginx/);
    expect(output).toMatch(/\n {4}7 root {6}0:00 sleep 3600\n/);
  });

  it("validates as upstream: no removal, no change, no ports or probes, unique names, a real target", async () => {
    const h = await runningPod();
    await addDebugContainer(h, { name: "debugger", image: "busybox" });
    const pod = await h.pod();
    const without = copyOf(pod);
    without.spec.ephemeralContainers = [];
    expect(await invalidMessage(h.client.update(Pods, without, { subresource: "ephemeralcontainers" }))).toBe(
      'Invalid: Pod "app" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be removed\n',
    );
    const changed = copyOf(pod);
    (changed.spec.ephemeralContainers ?? [])[0].image = "alpine";
    expect(await invalidMessage(h.client.update(Pods, changed, { subresource: "ephemeralcontainers" }))).toContain(
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be changed\n',
    );
    expect(
      await invalidMessage(
        addDebugContainer(h, {
          name: "probe",
          image: "busybox",
          ports: [{ containerPort: 80 }],
          readinessProbe: { exec: { command: ["true"] } },
        }),
      ),
    ).toBe(
      'Invalid: Pod "app" is invalid: [spec.ephemeralContainers[1].ports: Forbidden: cannot be set for an Ephemeral Container, spec.ephemeralContainers[1].readinessProbe: Forbidden: cannot be set for an Ephemeral Container]',
    );
    expect(await invalidMessage(addDebugContainer(h, { name: "web", image: "busybox" }))).toBe(
      'Invalid: Pod "app" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "web"',
    );
    expect(
      await invalidMessage(addDebugContainer(h, { name: "x", image: "busybox", targetContainerName: "nope" })),
    ).toBe('Invalid: Pod "app" is invalid: spec.ephemeralContainers[1].targetContainerName: Not found: "nope"');
    // Only the ephemeral containers change through the subresource; a pod update cannot add them.
    const relabelled = copyOf(await h.pod());
    relabelled.metadata.labels = { changed: "yes" };
    relabelled.spec.ephemeralContainers = [
      ...(relabelled.spec.ephemeralContainers ?? []),
      { name: "more", image: "busybox", imagePullPolicy: "Always", terminationMessagePolicy: "File" },
    ];
    const updated = await h.client.update<Pod>(Pods, relabelled, { subresource: "ephemeralcontainers" });
    expect(updated.metadata.labels).toBeUndefined();
    expect(updated.spec?.ephemeralContainers?.map((c) => c.name)).toEqual(["debugger", "more"]);
    const direct = copyOf(updated);
    direct.spec.ephemeralContainers = [];
    expect(await invalidMessage(h.client.update(Pods, direct))).toContain("pod updates may not change fields");
  });

  it("the subresource reads the whole pod and refuses to create", async () => {
    const h = await runningPod();
    const read = await h.cluster.apiServer.handle({
      verb: "get",
      gvr: { group: "", version: "v1", resource: "pods" },
      namespace: "default",
      name: "app",
      subresource: "ephemeralcontainers",
      options: {},
      user: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
    });
    expect(read.status).toBe(200);
    expect((read.body as Pod).kind).toBe("Pod");
    const created = await h.cluster.apiServer.handle({
      verb: "create",
      gvr: { group: "", version: "v1", resource: "pods" },
      namespace: "default",
      name: "app",
      subresource: "ephemeralcontainers",
      body: {},
      options: {},
      user: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
    });
    expect(created.status).toBe(405);
  });
});
