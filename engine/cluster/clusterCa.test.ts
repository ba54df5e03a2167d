import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CertificateSigningRequest } from "../api/certificates";
import type { ConfigMap, Pod } from "../api/core";
import { CertificateSigningRequests, ConfigMaps, Namespaces, Pods } from "../api/resources";
import { seededRandom } from "../apiserver/testing/testServer";
import { VirtualClock } from "../clock/VirtualClock";
import { kubeadmCa, writeKubeadmFiles } from "../kubelet/kubeadmFiles";
import { apiServerCertificate, createKubeadmPki } from "../kubelet/kubeadmPki";
import { InMemoryNodeFileSystem } from "../kubelet/NodeFileSystem";
import { nodeIp } from "../kubelet/nodeObject";
import { buildCertificateRequest, pem } from "../pki";
import { type Cluster, createCluster } from "./createCluster";

const CA_FILE = "/etc/kubernetes/pki/ca.crt";
const POD_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

/** A cluster whose nodes' files are kept here, with a running pod `t` (curl's image) in default. */
async function startCluster(
  controlPlaneFiles?: InMemoryNodeFileSystem,
): Promise<{ cluster: Cluster; clock: VirtualClock; files: Map<string, InMemoryNodeFileSystem>; pod: Pod }> {
  const clock = new VirtualClock();
  const files = new Map<string, InMemoryNodeFileSystem>();
  if (controlPlaneFiles) files.set("controlplane", controlPlaneFiles);
  const cluster = createCluster({
    clock,
    speed: "fast",
    random: seededRandom(11),
    nodeFileSystem: (node) => {
      let fs = files.get(node);
      if (!fs) {
        fs = new InMemoryNodeFileSystem();
        files.set(node, fs);
      }
      return fs;
    },
  });
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
  return { cluster, clock, files, pod };
}

/** `kubectl exec t -- sh -c SCRIPT`: stdout, stderr and the exit code. */
async function run(cluster: Cluster, pod: Pod, script: string): Promise<{ stdout: string; exitCode?: number }> {
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
  let exit: { exitCode?: number } | undefined;
  session?.onStdout((data) => {
    stdout += new TextDecoder().decode(data);
  });
  session?.onExit((result) => {
    exit = result as { exitCode?: number };
  });
  // The API's first call loads the OpenAPI schemas (a real import), so wait in real time too.
  for (let i = 0; i < 500 && exit === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return { stdout, exitCode: exit?.exitCode };
}

/** Every namespace's kube-root-ca.crt. */
async function publishedCas(cluster: Cluster): Promise<Map<string, string | undefined>> {
  const client = cluster.client();
  const namespaces = (await client.list(Namespaces)).items.map((ns) => ns.metadata.name ?? "");
  const published = new Map<string, string | undefined>();
  for (const namespace of namespaces)
    published.set(namespace, (await client.get<ConfigMap>(ConfigMaps, namespace, "kube-root-ca.crt")).data?.["ca.crt"]);
  return published;
}

/** A CSR for jane (O=devs), approved, as the CSR signer issues it. */
async function issueJane(cluster: Cluster, clock: VirtualClock): Promise<X509Certificate> {
  const client = cluster.client();
  const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  await client.create(CertificateSigningRequests, {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "jane" },
    spec: {
      request: Buffer.from(
        pem("CERTIFICATE REQUEST", buildCertificateRequest(key, { commonName: "jane", organizations: ["devs"] })),
      ).toString("base64"),
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["client auth"],
    },
  });
  const request = await client.get<CertificateSigningRequest>(CertificateSigningRequests, undefined, "jane");
  request.status = { conditions: [{ type: "Approved", status: "True", reason: "KubectlApprove", message: "ok" }] };
  await client.update(CertificateSigningRequests, request, { subresource: "approval" });
  await clock.advance(2_000);
  const signed = await client.get<CertificateSigningRequest>(CertificateSigningRequests, undefined, "jane");
  return new X509Certificate(Buffer.from(signed.status?.certificate ?? "", "base64"));
}

describe("one cluster CA, as kubeadm's", () => {
  it("publishes the control plane's ca.crt in kube-root-ca.crt, mounts it in pods, and signs CSRs with it", async () => {
    const { cluster, clock, files, pod } = await startCluster();
    const controlPlaneCa = await files.get("controlplane")?.readFile(CA_FILE);
    expect(controlPlaneCa).toContain("BEGIN CERTIFICATE");
    for (const [namespace, ca] of await publishedCas(cluster))
      expect([namespace, ca]).toEqual([namespace, controlPlaneCa]);
    // Every node's ca.crt (the kubelet's --client-ca-file) is the same certificate.
    for (const node of cluster.nodeNames) expect(await files.get(node)?.readFile(CA_FILE)).toBe(controlPlaneCa);

    const mounted = await run(cluster, pod, `cat ${POD_CA}`);
    expect(mounted.stdout).toBe(controlPlaneCa);
    const jane = await issueJane(cluster, clock);
    const podCa = new X509Certificate(mounted.stdout);
    expect(jane.checkIssued(podCa)).toBe(true);
    expect(jane.verify(podCa.publicKey)).toBe(true);
    expect(jane.subject).toBe("O=devs\nCN=jane");
    // The node kubeconfigs' client certificates too.
    const kubeletConf = (await files.get("node01")?.readFile("/etc/kubernetes/kubelet.conf")) ?? "";
    const client = /client-certificate-data: (\S+)/.exec(kubeletConf)?.[1] ?? "";
    expect(new X509Certificate(Buffer.from(client, "base64")).verify(podCa.publicKey)).toBe(true);

    // The in-pod API's serving certificate verifies against the mounted ca.crt.
    const version = await run(cluster, pod, `curl -s --cacert ${POD_CA} https://kubernetes.default.svc/version`);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toContain('"gitVersion"');
    cluster.stop();
  });

  it("keeps a control plane's earlier CA: kube-root-ca.crt follows the node's ca.crt, and only it verifies the API", async () => {
    // A node written by an earlier process (its kubelet.conf marks it set up) under a fresh store,
    // as `kubelab cluster up --data-dir` restarts: the store's bootstrap published this process's CA.
    const earlier = createKubeadmPki(Date.UTC(2026, 0, 1));
    const written = new InMemoryNodeFileSystem();
    await writeKubeadmFiles(written, "controlplane", "control-plane", nodeIp(0), nodeIp(0), Date.UTC(2026, 0, 1));
    // Its whole PKI is the earlier CA's, apiserver.crt (what the in-pod API presents) included.
    for (const [name, content] of Object.entries(earlier.controlPlaneFiles("controlplane", nodeIp(0))))
      await written.writeFile(`/etc/kubernetes/pki/${name}`, content);
    const { cluster, files, pod } = await startCluster(written);
    expect(await files.get("controlplane")?.readFile(CA_FILE)).toBe(earlier.ca.certificatePem);
    for (const [namespace, ca] of await publishedCas(cluster))
      expect([namespace, ca]).toEqual([namespace, earlier.ca.certificatePem]);
    expect((await run(cluster, pod, `cat ${POD_CA}`)).stdout).toBe(earlier.ca.certificatePem);

    const ok = await run(cluster, pod, `curl -s --cacert ${POD_CA} https://kubernetes.default.svc/version`);
    expect(ok.exitCode).toBe(0);
    // This process's CA (what a new control plane would hold, and what bootstrap published) does not.
    const stranger = kubeadmCa(Date.now()).certificatePem;
    expect(stranger).not.toBe(earlier.ca.certificatePem);
    const refused = await run(
      cluster,
      pod,
      `printf '%s' '${stranger}' > /tmp/other.crt; curl -s --cacert /tmp/other.crt https://kubernetes.default.svc/version`,
    );
    expect(refused.exitCode).toBe(60);
    cluster.stop();
  });

  it("presents the control plane's apiserver.crt to pods: its SANs and its signer are what curl checks", async () => {
    const { cluster, files, pod } = await startCluster();
    const node = files.get("controlplane") as InMemoryNodeFileSystem;
    const served = new X509Certificate((await node.readFile("/etc/kubernetes/pki/apiserver.crt")) ?? "");
    expect(served.subject).toBe("CN=kube-apiserver");
    expect(served.subjectAltName).toBe(
      "DNS:controlplane, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:192.168.0.2",
    );
    const ok = await run(cluster, pod, `curl -s --cacert ${POD_CA} https://kubernetes.default.svc/version`);
    expect(ok.exitCode).toBe(0);
    // A certificate without the Service's names, signed by the same CA: the name check fails.
    const ca = {
      certificatePem: (await node.readFile(CA_FILE)) ?? "",
      privateKeyPem: (await node.readFile("/etc/kubernetes/pki/ca.key")) ?? "",
    };
    await node.writeFile(
      "/etc/kubernetes/pki/apiserver.crt",
      apiServerCertificate(ca, ["controlplane"], Date.now()).certificatePem,
    );
    const mismatch = await run(cluster, pod, `curl -s --cacert ${POD_CA} https://kubernetes.default.svc/version`);
    expect(mismatch.exitCode).toBe(60);
    await node.writeFile("/etc/kubernetes/pki/apiserver.crt", served.toString());
    expect(
      (await run(cluster, pod, `curl -s --cacert ${POD_CA} https://kubernetes.default.svc/version`)).exitCode,
    ).toBe(0);
    cluster.stop();
  });
});
