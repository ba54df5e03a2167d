import { afterEach, describe, expect, it } from "vitest";
import type { ConfigMap, Pod } from "../api/core";
import { ConfigMaps, Pods, Services } from "../api/resources";
import { isApiError } from "../apiserver/ApiError";
import type { Kubelet } from "./Kubelet";
import { kubeletCluster } from "./testing/harness";

let current: Awaited<ReturnType<typeof kubeletCluster>> | undefined;
afterEach(() => {
  current?.stop();
  current = undefined;
});

async function setup(speed: "fast" | "realistic" = "fast") {
  current = await kubeletCluster({ speed });
  return current;
}

function logsOf(
  h: Awaited<ReturnType<typeof setup>>,
  container: string,
  extra: { previous?: boolean; timestamps?: boolean; tailLines?: number } = {},
): string {
  const stream = h.cluster.apiServer.kubelets.get("node01")?.logs({
    namespace: "default",
    pod: "app",
    container,
    follow: false,
    previous: extra.previous ?? false,
    timestamps: extra.timestamps ?? false,
    tailLines: extra.tailLines,
  });
  let text = "";
  stream?.onData((chunk) => {
    text += chunk;
  });
  return text;
}

describe("pod states", () => {
  it("Completed: a batch container exits 0 and the pod succeeds", async () => {
    const h = await setup();
    await h.run({
      spec: {
        restartPolicy: "Never",
        containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo hello from $HOSTNAME"] }],
      },
    });
    await h.clock.advance(1_000);
    const pod = await h.pod();
    expect(pod.status?.phase).toBe("Succeeded");
    expect(await h.status()).toBe("Completed");
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(logsOf(h, "app")).toBe("hello from app\n");
    expect(logsOf(h, "app", { timestamps: true })).toMatch(/^2026-11-30T05:00:0\d(\.\d{1,9})?Z hello from app\n$/);
  });

  it("Error then CrashLoopBackOff with 10 s doubling back-off and upstream messages", async () => {
    const h = await setup();
    await h.run({
      spec: { containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo boom; exit 1"] }] },
    });
    await h.clock.advance(200);
    let pod = await h.pod();
    // First failure restarts at once; the second enters back-off.
    expect(pod.status?.containerStatuses?.[0].restartCount).toBeGreaterThanOrEqual(1);
    await h.clock.advance(500);
    pod = await h.pod();
    const container = pod.status?.containerStatuses?.[0];
    expect(container?.state?.waiting).toEqual({
      reason: "CrashLoopBackOff",
      message: `back-off 10s restarting failed container=app pod=app_default(${pod.metadata.uid})`,
    });
    expect(container?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(container?.restartCount).toBe(1);
    expect(pod.status?.phase).toBe("Running");
    await h.clock.advance(10_000);
    pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].restartCount).toBe(2);
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.message).toContain("back-off 20s");
    await h.clock.advance(20_000);
    pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].restartCount).toBe(3);
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.message).toContain("back-off 40s");
    expect(await h.events()).toContain(
      `Warning BackOff: Back-off restarting failed container app in pod app_default(${pod.metadata.uid})`,
    );
    expect(logsOf(h, "app", { previous: true })).toBe("boom\n");
  });

  it("ErrImagePull then ImagePullBackOff for a repository that does not exist", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "ngnix" }] } });
    await h.clock.advance(50);
    let pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.reason).toBe("ErrImagePull");
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.message).toBe(
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/ngnix:latest": failed to resolve reference "docker.io/library/ngnix:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    );
    await h.clock.advance(500);
    pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].state?.waiting).toEqual({
      reason: "ImagePullBackOff",
      message: 'Back-off pulling image "ngnix"',
    });
    expect(pod.status?.phase).toBe("Pending");
    const events = await h.events();
    expect(events).toContain('Normal Pulling: Pulling image "ngnix"');
    expect(events).toContain("Warning Failed: Error: ErrImagePull");
    expect(events).toContain('Normal BackOff: Back-off pulling image "ngnix"');
    expect(events).toContain("Warning Failed: Error: ImagePullBackOff");
    expect(() =>
      h.cluster.apiServer.kubelets.get("node01")?.logs({
        namespace: "default",
        pod: "app",
        container: "app",
        follow: false,
        previous: false,
        timestamps: false,
      }),
    ).toThrow('container "app" in pod "app" is waiting to start: ImagePullBackOff');
  });

  it("InvalidImageName for an uppercase image", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "NGINX" }] } });
    await h.clock.advance(100);
    expect(await h.status()).toBe("InvalidImageName");
  });

  it("StartError for an executable that does not exist, as containerd reports it", async () => {
    const h = await setup();
    await h.run({
      spec: { restartPolicy: "Never", containers: [{ name: "app", image: "busybox", command: ["foo"] }] },
    });
    await h.clock.advance(500);
    const pod = await h.pod();
    const terminated = pod.status?.containerStatuses?.[0].state?.terminated;
    expect(terminated).toMatchObject({ exitCode: 128, reason: "StartError" });
    expect(terminated?.message).toContain('exec: "foo": executable file not found in $PATH');
    expect(pod.status?.phase).toBe("Failed");
  });

  it("CreateContainerConfigError for a missing ConfigMap key, then starts once it exists", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [
          {
            name: "app",
            image: "busybox",
            command: ["sh", "-c", "echo color=$COLOR; sleep 3600"],
            env: [{ name: "COLOR", valueFrom: { configMapKeyRef: { name: "settings", key: "color" } } }],
          },
        ],
      },
    });
    await h.clock.advance(500);
    let pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].state?.waiting).toEqual({
      reason: "CreateContainerConfigError",
      message: 'configmap "settings" not found',
    });
    await h.client.create<ConfigMap>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "default" },
      data: { colour: "blue" },
    });
    await h.clock.advance(10_000);
    pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].state?.waiting?.message).toBe(
      "couldn't find key color in ConfigMap default/settings",
    );
    await h.client.patch(ConfigMaps, "default", "settings", "merge", { data: { color: "blue" } });
    await h.clock.advance(10_000);
    expect(await h.status()).toBe("Running");
    expect(logsOf(h, "app")).toBe("color=blue\n");
  });

  it("OOMKilled: polinux/stress over its memory limit (the memory-limit task page)", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [
          {
            name: "memory-demo-2-ctr",
            image: "polinux/stress",
            resources: { requests: { memory: "50Mi" }, limits: { memory: "100Mi" } },
            command: ["stress"],
            args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"],
          },
        ],
      },
    });
    await h.clock.advance(300);
    const pod = await h.pod();
    const status = pod.status?.containerStatuses?.[0];
    const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
    expect(terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
  });

  it("Init:0/2, Init:1/2, PodInitializing, Running", async () => {
    const h = await setup();
    await h.run({
      spec: {
        initContainers: [
          { name: "init-one", image: "busybox:1.28", command: ["sh", "-c", "echo first; sleep 5"] },
          { name: "init-two", image: "busybox:1.28", command: ["sh", "-c", "sleep 5"] },
        ],
        containers: [
          { name: "app", image: "busybox:1.28", command: ["sh", "-c", "echo The app is running! && sleep 3600"] },
        ],
      },
    });
    await h.clock.advance(200);
    expect(await h.status()).toBe("Init:0/2");
    let pod = await h.pod();
    // A running regular init container is not ready (upstream's prober manager); done, it is.
    expect(pod.status?.initContainerStatuses?.map((s) => [!!s.state?.running, s.ready])).toEqual([
      [true, false],
      [false, false],
    ]);
    expect(pod.status?.conditions?.find((c) => c.type === "Initialized")).toMatchObject({
      status: "False",
      reason: "ContainersNotInitialized",
      message: "containers with incomplete status: [init-one init-two]",
    });
    await h.clock.advance(5_000);
    expect(await h.status()).toBe("Init:1/2");
    pod = await h.pod();
    expect(pod.status?.initContainerStatuses?.map((s) => s.ready)).toEqual([true, false]);
    await h.clock.advance(5_000);
    expect(await h.status()).toBe("Running");
    pod = await h.pod();
    expect(pod.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual([
      "Completed",
      "Completed",
    ]);
    expect(pod.status?.initContainerStatuses?.map((s) => s.ready)).toEqual([true, true]);
    expect(logsOf(h, "init-one")).toBe("first\n");
  });

  it("native sidecars start first, stay running and do not block a Job-style pod from completing", async () => {
    const h = await setup();
    await h.run({
      spec: {
        restartPolicy: "Never",
        initContainers: [
          {
            name: "logshipper",
            image: "alpine:latest",
            restartPolicy: "Always",
            command: ["sh", "-c", "tail -F /opt/logs.txt"],
          },
        ],
        containers: [
          { name: "app", image: "alpine:latest", command: ["sh", "-c", "echo logging > /opt/logs.txt; sleep 5"] },
        ],
      },
    });
    await h.clock.advance(500);
    let pod = await h.pod();
    expect(pod.status?.initContainerStatuses?.[0]).toMatchObject({ name: "logshipper", started: true, ready: true });
    expect(pod.status?.containerStatuses?.[0].state?.running).toBeDefined();
    await h.clock.advance(40_000);
    pod = await h.pod();
    expect(pod.status?.phase).toBe("Succeeded");
  });

  it("graceful deletion: Killing, TERM ignored by a shell as PID 1, KILL after the grace period, then the pod is gone", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"] }] } });
    await h.clock.advance(500);
    expect(await h.status()).toBe("Running");
    await h.client.delete(Pods, "default", "app", { gracePeriodSeconds: 30 });
    await h.clock.advance(10);
    expect(await h.status()).toBe("Terminating");
    expect(await h.events()).toContain("Normal Killing: Stopping container app");
    await h.clock.advance(29_000);
    expect(await h.status()).toBe("Terminating");
    await h.clock.advance(1_100);
    await expect(h.pod()).rejects.toSatisfy((error) => isApiError(error, "NotFound"));
  });

  it("graceful deletion of nginx ends as soon as nginx exits on its stop signal", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "nginx:1.27" }] } });
    await h.clock.advance(500);
    await h.client.delete(Pods, "default", "app");
    await h.clock.advance(100);
    await expect(h.pod()).rejects.toSatisfy((error) => isApiError(error, "NotFound"));
  });
});

describe("container definition changes", () => {
  it("restarts a container whose image changed (kubectl set image on a pod)", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "nginx:1.26" }] } });
    await h.clock.advance(500);
    await h.client.patch(Pods, "default", "app", "strategic", {
      spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    });
    await h.clock.advance(500);
    const pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({
      restartCount: 1,
      image: "docker.io/library/nginx:1.27",
      ready: true,
    });
    expect(await h.events()).toContain("Normal Killing: Container app definition changed, will be restarted");
  });
});

describe("probes", () => {
  it("liveness exec probe from the task page: restarts after /tmp/healthy disappears", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [
          {
            name: "liveness",
            image: "registry.k8s.io/busybox",
            args: ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
            livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, initialDelaySeconds: 5, periodSeconds: 5 },
          },
        ],
      },
    });
    await h.clock.advance(30_000);
    let pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].restartCount).toBe(0);
    await h.clock.advance(16_000);
    const events = await h.events();
    expect(events.some((e) => e.startsWith("Warning Unhealthy: Liveness probe failed: cat: "))).toBe(true);
    expect(events).toContain("Normal Killing: Container liveness failed liveness probe, will be restarted");
    // The shell ignores TERM as PID 1: the kubelet kills it after the 30 s grace period.
    await h.clock.advance(31_000);
    pod = await h.pod();
    expect(pod.status?.containerStatuses?.[0].restartCount).toBe(1);
    expect(pod.status?.containerStatuses?.[0].lastState?.terminated).toMatchObject({ exitCode: 137, reason: "Error" });
  });

  it("readiness httpGet probe drives the Ready condition", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [
          {
            name: "app",
            image: "nginx",
            readinessProbe: { httpGet: { path: "/ready.html", port: 80 }, periodSeconds: 5 },
          },
        ],
      },
    });
    await h.clock.advance(6_000);
    let pod = await h.pod();
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [app]",
    });
    expect(await h.events()).toContain(
      "Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404",
    );
    const connection = h.cluster.apiServer.kubelets.get("node01");
    const session = connection?.exec({
      namespace: "default",
      pod: "app",
      container: "app",
      command: ["sh", "-c", "echo ok > /usr/share/nginx/html/ready.html"],
      stdin: false,
      stdout: true,
      stderr: true,
      tty: false,
    });
    let exitCode = -1;
    session?.onExit((result) => {
      if ("exitCode" in result) exitCode = result.exitCode;
    });
    await h.clock.advance(5_000);
    expect(exitCode).toBe(0);
    pod = await h.pod();
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(pod.status?.containerStatuses?.[0].ready).toBe(true);
  });
});

describe("lazy probes", () => {
  it("a steady probe arms no timer until a listener changes, then fails and recovers on its period's ticks", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [
          { name: "web", image: "hashicorp/http-echo", args: ["-text=hi"] },
          {
            name: "client",
            image: "busybox",
            command: ["sleep", "3600"],
            readinessProbe: { tcpSocket: { port: 5678 }, periodSeconds: 5, failureThreshold: 1 },
          },
        ],
      },
    });
    await h.clock.advance(3_000);
    // The client container's readiness is its probe's verdict (the pod's also follows web's state).
    const ready = async () =>
      String(
        (await h.pod()).status?.containerStatuses?.find((c) => c.name === "client")?.ready === true ? "True" : "False",
      );
    expect(await ready()).toBe("True");
    const kubelet = (h.cluster.components.get("kubelet") as Array<{ kubelet?: Kubelet }>).find(
      (component) => component.kubelet?.node.name === "node01",
    )?.kubelet as Kubelet;
    const killWeb = () => {
      const web = kubelet.runtime.listContainers().find((c) => c.spec.name === "web" && c.state === "running");
      expect(web).toBeDefined();
      web?.process?.signal("SIGKILL");
    };
    // Idle: the only armed timer is the client's own `sleep 3600`; the probe sleeps.
    await h.clock.advance(60_000);
    expect(h.clock.pendingTimers).toBe(1);
    const until = async (status: string) => {
      for (let step = 0; step < 80 && (await ready()) !== status; step++) await h.clock.advance(250);
      expect(await ready()).toBe(status);
      return h.clock.now();
    };
    // web dies twice (the kubelet restarts it at once, then backs off 10 s): the probe notices at
    // the next tick of its 5 s period (failureThreshold 1).
    killWeb();
    await h.clock.advance(100);
    const killed = h.clock.now();
    killWeb();
    const notReady = await until("False");
    expect(notReady - killed).toBeLessThanOrEqual(5_250);
    expect(await h.events()).toContain(
      `Warning Unhealthy: Readiness probe failed: dial tcp ${(await h.pod()).status?.podIP}:5678: connect: connection refused`,
    );
    // web restarts after its 10 s back-off; Ready returns at a tick of the same period.
    const readyAgain = await until("True");
    expect((await h.pod()).status?.containerStatuses?.find((c) => c.name === "web")?.restartCount).toBe(2);
    const offset = (readyAgain - notReady) % 5_000;
    expect(Math.min(offset, 5_000 - offset)).toBeLessThanOrEqual(250);
  });
});

describe("containers from the image config and the pod spec", () => {
  it("combines entrypoint and args, expands $(VAR), fills env from fields and mounts volumes", async () => {
    const h = await setup();
    await h.client.create<ConfigMap>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web", namespace: "default" },
      data: { "index.html": "hello from a configmap\n" },
    });
    await h.run({
      metadata: { name: "app", namespace: "default", labels: { tier: "web" } },
      spec: {
        containers: [
          {
            name: "app",
            image: "busybox",
            command: ["sh", "-c"],
            args: [
              "echo $(GREETING) $POD_NAME $NODE $$HOSTNAME; cat /data/index.html; cat /etc/podinfo/labels; ls /var/run/secrets/kubernetes.io/serviceaccount",
            ],
            env: [
              { name: "GREETING", value: "hi" },
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
            ],
            volumeMounts: [
              { name: "web", mountPath: "/data" },
              { name: "podinfo", mountPath: "/etc/podinfo" },
              { name: "token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
            ],
          },
        ],
        restartPolicy: "Never",
        volumes: [
          { name: "web", configMap: { name: "web" } },
          { name: "podinfo", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
          {
            name: "token",
            projected: {
              sources: [
                { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
                { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
              ],
            },
          },
        ],
      },
    });
    await h.clock.advance(1_000);
    expect(logsOf(h, "app")).toBe('hi app node01 app\nhello from a configmap\ntier="web"ca.crt\nnamespace\ntoken\n');
  });

  it("sets service-link variables for the namespace's Services", async () => {
    const h = await setup();
    await h.client.create(Services, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web-front", namespace: "default" },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
    });
    await h.run({
      spec: {
        restartPolicy: "Never",
        containers: [{ name: "app", image: "busybox", command: ["sh", "-c", "env | grep WEB_FRONT"] }],
      },
    });
    await h.clock.advance(1_000);
    const service = await h.client.get(Services, "default", "web-front");
    const ip = service.spec.clusterIP;
    expect(logsOf(h, "app").split("\n").sort()).toEqual(
      [
        "",
        `WEB_FRONT_PORT=tcp://${ip}:80`,
        `WEB_FRONT_PORT_80_TCP=tcp://${ip}:80`,
        `WEB_FRONT_PORT_80_TCP_ADDR=${ip}`,
        "WEB_FRONT_PORT_80_TCP_PORT=80",
        "WEB_FRONT_PORT_80_TCP_PROTO=tcp",
        `WEB_FRONT_SERVICE_HOST=${ip}`,
        "WEB_FRONT_SERVICE_PORT=80",
        "WEB_FRONT_SERVICE_PORT_HTTP=80",
      ].sort(),
    );
  });

  it("mounts hostPath directories of the node's file system", async () => {
    const h = await setup();
    await h.fileSystems.get("node01")?.writeFile("/var/local/data/greeting.txt", "hello from the node\n");
    await h.run({
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "app",
            image: "busybox",
            command: ["sh", "-c", "cat /data/greeting.txt; echo written by the pod > /data/reply.txt; ls /data"],
            volumeMounts: [{ name: "host", mountPath: "/data" }],
          },
        ],
        volumes: [{ name: "host", hostPath: { path: "/var/local/data", type: "DirectoryOrCreate" } }],
      },
    });
    await h.clock.advance(1_000);
    expect(logsOf(h, "app")).toBe("hello from the node\ngreeting.txt\nreply.txt\n");
    expect(await h.fileSystems.get("node01")?.readFile("/var/local/data/reply.txt")).toBe("written by the pod\n");
  });

  it("updates ConfigMap volume files when the ConfigMap changes", async () => {
    const h = await setup();
    await h.client.create<ConfigMap>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "default" },
      data: { mode: "blue" },
    });
    await h.run({
      spec: {
        containers: [
          {
            name: "app",
            image: "busybox",
            command: ["sh", "-c", "while true; do cat /etc/cfg/mode; echo; sleep 10; done"],
            volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg" }],
          },
        ],
        volumes: [{ name: "cfg", configMap: { name: "cfg" } }],
      },
    });
    await h.clock.advance(1_000);
    await h.client.patch(ConfigMaps, "default", "cfg", "merge", { data: { mode: "green" } });
    // Not at once: at the pod's next periodic sync, a minute after its worker started.
    await h.clock.advance(50_000);
    expect(logsOf(h, "app")).toBe("blue\nblue\nblue\nblue\nblue\nblue\n");
    expect(h.clock.pendingTimers).toBeGreaterThan(1);
    await h.clock.advance(10_000);
    expect(logsOf(h, "app")).toBe("blue\nblue\nblue\nblue\nblue\nblue\ngreen\n");
  });

  it("shares an emptyDir between containers", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [
          {
            name: "writer",
            image: "busybox",
            command: ["sh", "-c", "echo shared > /cache/file; sleep 3600"],
            volumeMounts: [{ name: "cache", mountPath: "/cache" }],
          },
          {
            name: "reader",
            image: "busybox",
            command: ["sh", "-c", "sleep 1; cat /cache/file; sleep 3600"],
            volumeMounts: [{ name: "cache", mountPath: "/cache" }],
          },
        ],
        volumes: [{ name: "cache", emptyDir: {} }],
      },
    });
    await h.clock.advance(3_000);
    expect(logsOf(h, "reader")).toBe("shared\n");
  });
});

describe("exec and attach", () => {
  it("runs commands in the container and reports unknown executables like containerd", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "nginx" }] } });
    await h.clock.advance(500);
    const connection = h.cluster.apiServer.kubelets.get("node01");
    const run = async (command: string[]) => {
      const session = connection?.exec({
        namespace: "default",
        pod: "app",
        container: "app",
        command,
        stdin: false,
        stdout: true,
        stderr: true,
        tty: false,
      });
      let out = "";
      let exit: unknown;
      session?.onStdout((data) => {
        out += new TextDecoder().decode(data);
      });
      session?.onStderr((data) => {
        out += new TextDecoder().decode(data);
      });
      session?.onExit((result) => {
        exit = result;
      });
      for (let i = 0; i < 100 && exit === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 2));
      return { out, exit };
    };
    expect(await run(["cat", "/etc/hostname"])).toEqual({ out: "app\n", exit: { exitCode: 0 } });
    expect(await run(["sh", "-c", "curl -s localhost | grep title"])).toEqual({
      out: "<title>Welcome to nginx!</title>\n",
      exit: { exitCode: 0 },
    });
    // nginx -v prints the version on stderr and exits, as the real binary does (no second bind).
    expect(await run(["nginx", "-v"])).toEqual({ out: "nginx version: nginx/1.27.3\n", exit: { exitCode: 0 } });
    // containerd fails the exec's start; the kubelet reports it as an InternalError on the error channel.
    const missing = await run(["ps"]);
    expect(missing.out).toBe("");
    expect((missing.exit as { error: string }).error).toMatch(
      /^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "ps": executable file not found in \$PATH: unknown$/,
    );
  });
});

describe("attach", () => {
  it("attaches to an interactive shell (kubectl run -it … -- sh)", async () => {
    const h = await setup();
    await h.run({
      spec: {
        containers: [{ name: "app", image: "busybox", command: ["sh"], stdin: true, stdinOnce: true, tty: true }],
      },
    });
    await h.clock.advance(500);
    expect(await h.status()).toBe("Running");
    const session = h.cluster.apiServer.kubelets.get("node01")?.attach({
      namespace: "default",
      pod: "app",
      container: "app",
      stdin: true,
      stdout: true,
      stderr: false,
      tty: true,
    });
    let screen = "";
    session?.onStdout((data) => {
      screen += new TextDecoder().decode(data);
    });
    session?.writeStdin(new TextEncoder().encode("\recho hi from $HOSTNAME\r"));
    for (let i = 0; i < 100 && !screen.includes("hi from app\r\n"); i++)
      await new Promise((resolve) => setTimeout(resolve, 2));
    expect(screen).toContain("/ # echo hi from $HOSTNAME\r\nhi from app\r\n/ # ");
    session?.writeStdin(new TextEncoder().encode("exit\r"));
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    await h.clock.advance(100);
    expect(
      (await h.pod()).status?.containerStatuses?.[0].state?.terminated?.exitCode ??
        (await h.pod()).status?.containerStatuses?.[0].lastState?.terminated?.exitCode,
    ).toBe(0);
  });
});

describe("interactive exec shell", () => {
  it("kubectl exec -it … -- sh keeps state between lines and leaves on `echo bye; exit 3`", async () => {
    const h = await setup();
    await h.run({ spec: { containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"] }] } });
    await h.clock.advance(500);
    const session = h.cluster.apiServer.kubelets.get("node01")?.exec({
      namespace: "default",
      pod: "app",
      container: "app",
      command: ["sh"],
      stdin: true,
      stdout: true,
      stderr: true,
      tty: true,
    });
    let screen = "";
    let exit: unknown;
    session?.onStdout((data) => {
      screen += new TextDecoder().decode(data);
    });
    session?.onExit((result) => {
      exit = result;
    });
    const settle = async (until: () => boolean) => {
      for (let i = 0; i < 100 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
    };
    session?.writeStdin(new TextEncoder().encode("X=kept; cd /tmp\r"));
    session?.writeStdin(new TextEncoder().encode("(exit 4); echo $X $PWD $?\r"));
    await settle(() => screen.includes("kept /tmp"));
    expect(screen).toContain("kept /tmp 4\r\n/tmp # ");
    // A line that cannot stand alone runs as before and leaves the shell open.
    session?.writeStdin(new TextEncoder().encode("echo a |\r"));
    session?.writeStdin(new TextEncoder().encode("echo still here\r"));
    await settle(() => screen.includes("still here\r\n"));
    expect(exit).toBeUndefined();
    session?.writeStdin(new TextEncoder().encode("echo bye; exit 3\r"));
    await settle(() => exit !== undefined);
    expect(screen).toContain("bye\r\n");
    expect(exit).toEqual({ exitCode: 3 });
  });
});

describe("pods the API no longer has", () => {
  it("stops containers at once when a pod is force-deleted", async () => {
    const h = await setup();
    const created: Pod = await h.run({
      spec: { containers: [{ name: "app", image: "busybox", command: ["sleep", "3600"] }] },
    });
    await h.clock.advance(500);
    await h.client.delete(Pods, "default", "app", { gracePeriodSeconds: 0 });
    await h.clock.advance(10);
    const kubelet = h.cluster.apiServer.kubelets.get("node01");
    expect(kubelet?.podMetrics("default", created.metadata.name ?? "")).toBeUndefined();
  });
});
