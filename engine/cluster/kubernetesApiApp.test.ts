import { describe, expect, it } from "vitest";
import type { Pod } from "../api/core";
import { ClusterRoleBindings, Pods, RoleBindings } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { type Cluster, createCluster } from "./createCluster";

const TOKEN = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)";
const CACERT = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
const ADVICE =
  "More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the webpage mentioned above.\n";

async function startCluster(): Promise<{ cluster: Cluster; clock: VirtualClock; pod: Pod }> {
  const clock = new VirtualClock();
  const cluster = createCluster({ clock, speed: "fast", random: seededRandom(7) });
  await cluster.ready;
  await clock.advance(5_000);
  const client = cluster.client();
  await client.create(Pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "t", namespace: "default" },
    spec: { containers: [{ name: "t", image: "curlimages/curl", command: ["sleep", "infinity"] }] },
  });
  await clock.advance(10_000);
  const pod = await client.get<Pod>(Pods, "default", "t");
  expect(pod.status?.phase).toBe("Running");
  return { cluster, clock, pod };
}

/** `kubectl exec t -- sh -c SCRIPT`: stdout, stderr and the exit code. */
async function run(
  cluster: Cluster,
  pod: Pod,
  script: string,
): Promise<{ stdout: string; stderr: string; exitCode?: number }> {
  const session = cluster.apiServer.kubelets.get(pod.spec?.nodeName ?? "")?.exec({
    namespace: "default",
    pod: "t",
    container: "t",
    command: ["sh", "-c", script],
    stdin: false,
    stdout: true,
    stderr: true,
    tty: false,
  });
  let stdout = "";
  let stderr = "";
  let exit: { exitCode?: number } | undefined;
  session?.onStdout((data) => {
    stdout += new TextDecoder().decode(data);
  });
  session?.onStderr((data) => {
    stderr += new TextDecoder().decode(data);
  });
  session?.onExit((result) => {
    exit = result as { exitCode?: number };
  });
  // The first call loads the OpenAPI schemas (a real import), so wait in real time too.
  for (let i = 0; i < 500 && exit === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return { stdout, stderr, exitCode: exit?.exitCode };
}

describe("the API server from inside a pod (kube-apiserver's secure port)", () => {
  it("answers curl with the pod's ServiceAccount token as the real server does", async () => {
    const { cluster, pod } = await startCluster();

    const forbidden = await run(
      cluster,
      pod,
      `curl -s --cacert ${CACERT} -H "Authorization: Bearer ${TOKEN}" -w '\\n%{http_code}' https://kubernetes.default.svc/api/v1/namespaces/default/pods`,
    );
    expect(forbidden.stdout).toBe(
      `{
  "kind": "Status",
  "apiVersion": "v1",
  "metadata": {},
  "status": "Failure",
  "message": "pods is forbidden: User \\"system:serviceaccount:default:default\\" cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"default\\"",
  "reason": "Forbidden",
  "details": {
    "kind": "pods"
  },
  "code": 403
}
403`,
    );

    await cluster.client().create(RoleBindings, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "view", namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace: "default" }],
    });
    const allowed = await run(
      cluster,
      pod,
      `curl -s --cacert ${CACERT} -H "Authorization: Bearer ${TOKEN}" https://kubernetes.default.svc/api/v1/namespaces/default/pods`,
    );
    const list = JSON.parse(allowed.stdout);
    expect(list.kind).toBe("PodList");
    expect(list.items.map((item: Pod) => item.metadata.name)).toEqual(["t"]);
    expect(allowed.stdout).toMatch(/^\{\n {2}"kind": "PodList",\n/);
  });

  it("lets anyone read /version, refuses anonymous lists and bad tokens", async () => {
    const { cluster, pod } = await startCluster();
    const version = await run(cluster, pod, "curl -sk https://kubernetes.default/version");
    expect(JSON.parse(version.stdout).gitVersion).toMatch(/^v1\.32\./);

    const anonymous = await run(cluster, pod, "curl -sk https://kubernetes.default/api/v1/pods");
    expect(JSON.parse(anonymous.stdout)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope',
      reason: "Forbidden",
      details: { kind: "pods" },
      code: 403,
    });

    const discovery = await run(cluster, pod, "curl -sk https://kubernetes.default/api");
    expect(JSON.parse(discovery.stdout).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');

    const badToken = await run(cluster, pod, `curl -sk -H "Authorization: Bearer abc.def.ghi" https://10.96.0.1/api`);
    expect(badToken.stdout).toBe(
      '{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",\n  "message": "Unauthorized",\n  "reason": "Unauthorized",\n  "code": 401\n}',
    );
  });

  it("checks the serving certificate as curl does", async () => {
    const { cluster, pod } = await startCluster();
    const unknownCa = await run(cluster, pod, "curl https://kubernetes.default/version");
    expect(unknownCa).toEqual({
      stdout: "",
      stderr: `curl: (60) SSL certificate problem: unable to get local issuer certificate\n${ADVICE}`,
      exitCode: 60,
    });
    const wrongName = await run(
      cluster,
      pod,
      `curl --cacert ${CACERT} https://192-168-0-2.default.pod.cluster.local:6443/version`,
    );
    expect(wrongName).toEqual({
      stdout: "",
      stderr: `curl: (60) SSL: no alternative certificate subject name matches target hostname '192-168-0-2.default.pod.cluster.local'\n${ADVICE}`,
      exitCode: 60,
    });
    const byIp = await run(cluster, pod, `curl -s --cacert ${CACERT} https://10.96.0.1/version`);
    expect(byIp.exitCode).toBe(0);
    const missingFile = await run(cluster, pod, "curl --cacert /nope https://kubernetes.default/version");
    expect(missingFile).toMatchObject({ stderr: "curl: (77) error setting certificate file: /nope\n", exitCode: 77 });
    const plain = await run(cluster, pod, "curl -s http://kubernetes.default:443/version");
    expect(plain.stdout).toBe("Client sent an HTTP request to an HTTPS server.\n");
  });

  it("keeps a watch open until Ctrl-C at the terminal, then stops it and prompts again", async () => {
    const { cluster, clock, pod } = await startCluster();
    await cluster.client().create(ClusterRoleBindings, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "default-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace: "default" }],
    });
    const session = cluster.apiServer.kubelets.get(pod.spec?.nodeName ?? "")?.exec({
      namespace: "default",
      pod: "t",
      container: "t",
      command: ["sh"],
      stdin: true,
      stdout: true,
      stderr: true,
      tty: true,
    });
    let screen = "";
    session?.onStdout((data) => {
      screen += new TextDecoder().decode(data);
    });
    const settle = async () => {
      for (let i = 0; i < 40; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const type = (text: string) => session?.writeStdin(new TextEncoder().encode(text));
    type(
      `curl -sk -H "Authorization: Bearer ${TOKEN}" https://kubernetes.default/api/v1/pods?watch=true; echo status=$?\r`,
    );
    await settle();
    await clock.advance(120_000);
    await settle();
    // Two minutes on: the watch still streams (the server's default watch timeout is 30-60 min).
    expect(screen).not.toMatch(/status=\d/);
    type("\x03");
    await settle();
    // SIGINT ends curl and, as in an interactive sh, the rest of the line.
    expect(screen).not.toMatch(/status=\d/);
    type("echo after\r");
    await settle();
    expect(screen).toMatch(/status=\$\?\r\n\^C\r\n\/ # echo after\r\nafter\r?\n\/ # $/);
    session?.kill();
  });

  it("keeps the kubelet's probes of kube-apiserver on the program's fixed answers", async () => {
    const { cluster, clock } = await startCluster();
    await clock.advance(60_000);
    const apiserver = await cluster.client().get<Pod>(Pods, "kube-system", "kube-apiserver-controlplane");
    expect(apiserver.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
  });
});
