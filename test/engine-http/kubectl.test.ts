import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  hasKubectl,
  kubeconfigCa,
  kubectl,
  kubectlWatch,
  startTestCluster,
  type TestCluster,
} from "./support";

/**
 * The real kubectl 1.32 against `kubelab cluster up`'s HTTP surface: discovery, OpenAPI-driven
 * strict validation and explain, server-side printing in every output format, watch, every patch
 * type, dry runs and the errors worded as the real apiserver words them.
 */
describe.skipIf(!hasKubectl)("kubectl against the standalone cluster", () => {
  let cluster: TestCluster;
  const k = (...args: string[]) => kubectl(cluster, args);
  const kIn = (stdin: string, ...args: string[]) => kubectl(cluster, args, stdin);

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("answers /readyz, /version and discovery", async () => {
    expect((await k("get", "--raw", "/readyz")).stdout).toBe("ok");
    expect((await k("get", "--raw", "/readyz?verbose")).stdout).toMatch(/\[\+\]ping ok\n[\s\S]*readyz check passed\n$/);
    expect((await k("version", "-o", "json")).stdout).toMatch(/"serverVersion": \{\s+"major": "1",\s+"minor": "32"/);
    const resources = await k("api-resources");
    expect(resources.code).toBe(0);
    expect(resources.stdout).toMatch(/^deployments +deploy +apps\/v1 +true +Deployment$/m);
    expect(resources.stdout).toMatch(/^pods +po +v1 +true +Pod$/m);
    expect(resources.stdout).toMatch(/^nodes +metrics\.k8s\.io\/v1beta1 +false +NodeMetrics$/m);
    const versions = await k("api-versions");
    expect(versions.stdout.split("\n")).toEqual(expect.arrayContaining(["apps/v1", "v1", "metrics.k8s.io/v1beta1"]));
  });

  it("creates with apply and prints in every output format", async () => {
    const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: demo, tier: back}
data:
  color: blue
`;
    expect((await kIn(manifest, "apply", "-f", "-")).stdout).toBe("configmap/settings created\n");
    expect((await k("get", "configmap", "settings")).stdout).toMatch(/^NAME +DATA +AGE\nsettings +1 +\d+s\n$/);
    expect((await k("get", "configmap", "settings", "-o", "wide", "--show-labels")).stdout).toMatch(
      /app=demo,tier=back/,
    );
    expect((await k("get", "configmap", "settings", "-o", "yaml")).stdout).toMatch(/^ {2}color: blue$/m);
    expect(JSON.parse((await k("get", "configmap", "settings", "-o", "json")).stdout).data).toEqual({ color: "blue" });
    expect((await k("get", "configmap", "settings", "-o", "name")).stdout).toBe("configmap/settings\n");
    expect((await k("get", "configmap", "settings", "-o", "jsonpath={.data.color}")).stdout).toBe("blue");
    expect(
      (await k("get", "configmap", "settings", "-o", "custom-columns=N:.metadata.name,C:.data.color")).stdout,
    ).toMatch(/^N +C\nsettings +blue\n$/);
    // Re-applying without a label removes it (client-side apply's three-way strategic merge).
    const reapplied = await kIn(manifest.replace(", tier: back", ""), "apply", "-f", "-");
    expect(reapplied.stdout).toBe("configmap/settings configured\n");
    expect((await k("get", "configmap", "settings", "-o", "jsonpath={.metadata.labels}")).stdout).toBe(
      '{"app":"demo"}',
    );
  });

  it("creates through kubectl's typed (protobuf) clients", async () => {
    expect((await k("create", "namespace", "team")).stdout).toBe("namespace/team created\n");
    expect((await k("create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", "team")).stdout).toBe(
      "deployment.apps/web created\n",
    );
    expect((await k("get", "deployment", "web", "-n", "team", "-o", "jsonpath={.spec.replicas}")).stdout).toBe("2");
    expect((await k("create", "secret", "generic", "token", "--from-literal=key=value")).stdout).toBe(
      "secret/token created\n",
    );
    expect((await k("get", "secret", "token", "-o", "jsonpath={.data.key}")).stdout).toBe("dmFsdWU=");
  });

  it("rejects unknown fields with the real messages", async () => {
    const typo = `apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  contianers: [{name: a, image: nginx}]
`;
    const clientSide = await kIn(typo, "apply", "-f", "-");
    expect(clientSide.code).not.toBe(0);
    expect(clientSide.stderr).toContain(
      'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.contianers"',
    );
    const serverSide = await kIn(typo, "apply", "--server-side", "-f", "-");
    expect(serverSide.stderr).toContain(".spec.contianers: field not declared in schema");
    const warned = await kIn(
      typo
        .replace("typo}", "warned}")
        .replace("contianers", "containers")
        .replace("image: nginx", "image: nginx, imagePullPolice: Always"),
      "create",
      "--validate=warn",
      "-f",
      "-",
    );
    expect(warned.stderr).toContain('Warning: unknown field "spec.containers[0].imagePullPolice"');
    expect(warned.stdout).toBe("pod/warned created\n");
  });

  it("explains from the OpenAPI v3 documents", async () => {
    const explained = await k("explain", "pods.spec.containers");
    expect(explained.stdout).toMatch(/^KIND: +Pod\nVERSION: +v1\n\nFIELD: +containers <\[\]Container>/);
    expect(explained.stdout).toContain("List of containers belonging to the pod.");
    const recursive = await k("explain", "deployment", "--recursive");
    expect(recursive.stdout).toMatch(/^GROUP: +apps\nKIND: +Deployment\nVERSION: +v1/);
    expect(recursive.stdout).toMatch(/^ {4}replicas\t<integer>$/m);
  });

  it("labels, annotates and patches with every patch type", async () => {
    await kIn("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: patched}\ndata: {a: '1'}\n", "create", "-f", "-");
    expect((await k("label", "configmap", "patched", "x=1")).stdout).toBe("configmap/patched labeled\n");
    expect((await k("annotate", "configmap", "patched", "note=hi")).stdout).toBe("configmap/patched annotated\n");
    expect((await k("patch", "configmap", "patched", "-p", '{"data":{"b":"2"}}')).stdout).toBe(
      "configmap/patched patched\n",
    );
    expect((await k("patch", "configmap", "patched", "--type=merge", "-p", '{"data":{"c":"3"}}')).stdout).toBe(
      "configmap/patched patched\n",
    );
    expect(
      (await k("patch", "configmap", "patched", "--type=json", "-p", '[{"op":"remove","path":"/data/a"}]')).stdout,
    ).toBe("configmap/patched patched\n");
    const data = JSON.parse((await k("get", "configmap", "patched", "-o", "json")).stdout);
    expect(data.data).toEqual({ b: "2", c: "3" });
    expect(data.metadata.labels).toEqual({ x: "1" });
    expect(data.metadata.annotations).toEqual({ note: "hi" });
    const noChange = await k("patch", "configmap", "patched", "--type=merge", "-p", '{"data":{"c":"3"}}');
    expect(noChange.stdout).toBe("configmap/patched patched (no change)\n");
  });

  it("applies server-side and reports conflicts between managers", async () => {
    const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {key: one}\n";
    expect((await kIn(manifest, "apply", "--server-side", "-f", "-")).stdout).toBe(
      "configmap/owned serverside-applied\n",
    );
    const conflict = await kIn(
      manifest.replace("one", "two"),
      "apply",
      "--server-side",
      "--field-manager=other",
      "-f",
      "-",
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict with "kubectl"');
    expect(conflict.stderr).toContain(".data.key");
    const forced = await kIn(
      manifest.replace("one", "two"),
      "apply",
      "--server-side",
      "--field-manager=other",
      "--force-conflicts",
      "-f",
      "-",
    );
    expect(forced.stdout).toBe("configmap/owned serverside-applied\n");
  });

  it("dry-runs on the client and on the server without persisting", async () => {
    const server = await k("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server", "-o", "yaml");
    expect(server.stdout).toMatch(/uid: /);
    expect((await k("create", "configmap", "dry", "--from-literal=a=b", "--dry-run=client")).stdout).toBe(
      "configmap/dry created (dry run)\n",
    );
    expect((await k("get", "configmap", "dry")).stderr).toBe(
      'Error from server (NotFound): configmaps "dry" not found\n',
    );
  });

  it("words errors as the real apiserver does", async () => {
    expect((await k("get", "pod", "nope")).stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    await k("create", "configmap", "twice");
    expect((await k("create", "configmap", "twice")).stderr).toBe(
      'error: failed to create configmap: configmaps "twice" already exists\n',
    );
    const stale = (await k("get", "configmap", "twice", "-o", "json")).stdout;
    await k("label", "configmap", "twice", "bump=1");
    const conflict = await kIn(stale, "replace", "-f", "-");
    expect(conflict.stderr).toContain(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "twice": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await k("get", "--raw", "/apis/nope.example.com/v1")).stderr).toContain(
      "Error from server (NotFound): the server could not find the requested resource",
    );
  });

  it("watches with server-side printing", async () => {
    const watch = kubectlWatch(cluster, ["get", "configmaps", "-w", "-l", "watched=yes"]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await kIn(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seen, labels: {watched: 'yes'}}\ndata: {a: '1'}\n",
      "create",
      "-f",
      "-",
    );
    const seen = await eventually(() => /^seen +1 +\d+s$/m.test(watch.output()));
    await watch.stop();
    expect(seen, watch.output()).toBe(true);
    expect(watch.output()).toMatch(/^NAME +DATA +AGE$/m);
  });

  it("authenticates with the bearer token and limits bodies to 3 MiB, over TLS", async () => {
    // The server's certificate is signed by the cluster CA, which the kubeconfig trusts.
    const ca = kubeconfigCa(cluster.kubeconfig);
    const call = (method: string, url: string, headers: Record<string, string>, body?: Buffer) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${cluster.up.server.url}${url}`, { method, headers, ca }, (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on("error", reject);
        req.end(body);
      });
    const anonymous = await call("GET", "/api/v1/namespaces", {});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
    const auth = { authorization: `Bearer ${cluster.up.token}`, "content-type": "application/json" };
    const huge = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const tooLarge = await call("POST", "/api/v1/namespaces/default/configmaps", auth, huge);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({
      reason: "RequestEntityTooLarge",
      message: "Request entity too large: limit is 3145728",
    });
    expect((await call("GET", "/readyz", auth)).body).toBe("ok");
  });

  it("proxies logs, exec and metrics to the kubelet", async () => {
    await k("run", "shell", "--image=nginx");
    expect((await k("wait", "--for=condition=Ready", "pod/shell", "--timeout=60s")).code).toBe(0);
    expect((await k("logs", "shell")).stdout).toContain("Configuration complete; ready for start up");
    const exited = await k("exec", "shell", "--", "sh", "-c", "exit 3");
    expect(exited.code).toBe(3);
    expect(exited.stderr).toContain("command terminated with exit code 3");
    // A piped stdin reaches the command (v5's close of stdin ends it).
    expect((await kIn("piped-in\n", "exec", "-i", "shell", "--", "cat")).stdout).toBe("piped-in\n");
    expect((await kIn("a\nb\n", "exec", "-i", "shell", "--", "sh", "-c", "wc -l")).stdout.trim()).toBe("2");
    expect((await k("exec", "shell", "-c", "nope", "--", "sh")).stderr).toContain(
      "Error from server (BadRequest): container nope is not valid for pod shell",
    );
    expect((await k("exec", "missing", "--", "sh")).stderr).toContain(
      'Error from server (NotFound): pods "missing" not found',
    );
    expect((await k("top", "pod", "shell")).stdout).toMatch(
      /^NAME +CPU\(cores\) +MEMORY\(bytes\) *\nshell +\d+m +\d+Mi *\n$/,
    );
    expect((await k("top", "node")).stdout).toMatch(/^controlplane +\d+m +\d+% +\d+Mi +\d+%/m);
  });

  it("describes and deletes", async () => {
    await k("create", "configmap", "gone", "--from-literal=a=b");
    expect((await k("describe", "configmap", "gone")).stdout).toMatch(/^Name: +gone\nNamespace: +default/);
    expect((await k("delete", "configmap", "gone")).stdout).toBe('configmap "gone" deleted\n');
    expect((await k("get", "configmap", "gone")).stderr).toContain("NotFound");
  });
});
