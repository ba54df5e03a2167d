import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigMap, Secret } from "../../../engine/api/core";
import { ConfigMaps, Secrets } from "../../../engine/api/resources";
import type { InMemoryNodeFileSystem } from "../../../engine/kubelet/NodeFileSystem";
import { runOpenssl } from "../../shell/openssl/openssl";
import { startNodeToolCluster } from "./testCluster";

const reference = "/usr/bin/openssl";
const haveReference = existsSync(reference);
if (!haveReference) console.warn(`skipped: ${reference} is not installed; the comparisons with OpenSSL do not run`);

const day = 24 * 60 * 60 * 1000;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("kubeadm on the nodes", async () => {
  const { clock, cluster, fileSystems, run: runTool } = await startNodeToolCluster();
  afterAll(() => cluster.stop());
  const files = fileSystems.get("controlplane") as InMemoryNodeFileSystem;
  const read = async (file: string) => (await files.readFile(file)) as string;

  const run = (node: string, argv: string[], stdin = "") => runTool(node, ["kubeadm", ...argv], stdin);

  it("prints kubeadm v1.32.0's version in every format", async () => {
    expect((await run("controlplane", ["version"])).stdout).toBe(
      'kubeadm version: &version.Info{Major:"1", Minor:"32", GitVersion:"v1.32.0", GitCommit:"70d3cc986aa8221cd1dfb1121852688902d3bf53", GitTreeState:"clean", BuildDate:"2024-12-11T18:04:20Z", GoVersion:"go1.23.3", Compiler:"gc", Platform:"linux/amd64"}\n',
    );
    expect((await run("controlplane", ["version", "-o", "short"])).stdout).toBe("v1.32.0\n");
    expect(JSON.parse((await run("controlplane", ["version", "-o", "json"])).stdout).clientVersion.gitVersion).toBe(
      "v1.32.0",
    );
    expect((await run("node01", ["version", "-o", "yaml"])).stdout).toBe(
      'clientVersion:\n  buildDate: "2024-12-11T18:04:20Z"\n  compiler: gc\n  gitCommit: 70d3cc986aa8221cd1dfb1121852688902d3bf53\n  gitTreeState: clean\n  gitVersion: v1.32.0\n  goVersion: go1.23.3\n  major: "1"\n  minor: "32"\n  platform: linux/amd64\n\n',
    );
    expect(await run("controlplane", ["version", "-o", "xml"])).toMatchObject({
      status: 1,
      stderr: /^invalid output format: xml\n/,
    });
  });

  it("checks expiration on the engine's clock, residual time counting down", async () => {
    const end = Date.parse(new X509Certificate(await read("/etc/kubernetes/pki/apiserver.crt")).validTo);
    const start = clock.now();
    await clock.advance(end - start - 100 * day - 1000);
    const { status, stdout } = await run("controlplane", ["certs", "check-expiration"]);
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      '[check-expiration] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...',
      "[check-expiration] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it.",
      "",
      "CERTIFICATE                EXPIRES                  RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED",
    ]);
    const names = lines.slice(4, 15).map((line) => line.split(" ")[0]);
    expect(names).toEqual([
      "admin.conf",
      "apiserver",
      "apiserver-etcd-client",
      "apiserver-kubelet-client",
      "controller-manager.conf",
      "etcd-healthcheck-client",
      "etcd-peer",
      "etcd-server",
      "front-proxy-client",
      "scheduler.conf",
      "super-admin.conf",
    ]);
    expect(lines[5]).toMatch(/^apiserver {18}[A-Z][a-z]{2} \d\d, \d{4} \d\d:\d\d UTC {3}100d {12}ca {22}no {6}$/);
    expect(lines[6]).toMatch(/^apiserver-etcd-client .* 100d {12}etcd-ca {17}no {6}$/);
    expect(lines[12]).toMatch(/^front-proxy-client .* front-proxy-ca {10}no {6}$/);
    expect(lines.slice(15, 17)).toEqual([
      "",
      "CERTIFICATE AUTHORITY   EXPIRES                  RESIDUAL TIME   EXTERNALLY MANAGED",
    ]);
    expect(lines.slice(17, 20).map((line) => line.replace(/ {2,}.*? (\S+) {2,}no {6}$/, " $1"))).toEqual([
      "ca 9y",
      "etcd-ca 9y",
      "front-proxy-ca 9y",
    ]);
  });

  it("renews a certificate with the same CA, names and usages, valid a year from now", async () => {
    const before = new X509Certificate(await read("/etc/kubernetes/pki/apiserver.crt"));
    const { status, stdout } = await run("controlplane", ["certs", "renew", "apiserver"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/re-upload it\.\n\ncertificate for serving the Kubernetes API renewed\n$/);
    const after = new X509Certificate(await read("/etc/kubernetes/pki/apiserver.crt"));
    const ca = new X509Certificate(await read("/etc/kubernetes/pki/ca.crt"));
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.subjectAltName).toBe(before.subjectAltName);
    expect(after.keyUsage).toEqual(before.keyUsage);
    expect(after.verify(ca.publicKey)).toBe(true);
    expect(Date.parse(after.validTo)).toBe(Math.floor(clock.now() / 1000) * 1000 + 365 * day);
    expect(Date.parse(after.validFrom)).toBe(Math.floor(clock.now() / 1000) * 1000 - 5 * 60_000);
    const key = await read("/etc/kubernetes/pki/apiserver.key");
    expect(after.checkPrivateKey((await import("node:crypto")).createPrivateKey(key))).toBe(true);
    const all = await run("controlplane", ["certs", "renew", "all"]);
    expect(all.stdout).toContain("certificate embedded in the kubeconfig file for the super-admin renewed\n");
    expect(all.stdout).toMatch(
      /\n\nDone renewing certificates\. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates\.\n$/,
    );
  });

  it("creates a bootstrap token Secret and prints the join command with the CA's public key hash", async () => {
    const created = await run("controlplane", ["token", "create", "--print-join-command", "--ttl", "2h"]);
    expect(created.status).toBe(0);
    const match =
      /^kubeadm join 192\.168\.0\.2:6443 --token ([a-z0-9]{6})\.([a-z0-9]{16}) --discovery-token-ca-cert-hash sha256:([0-9a-f]{64}) \n$/.exec(
        created.stdout,
      );
    expect(match).not.toBeNull();
    const [, id, secret, hash] = match as RegExpExecArray;
    const stored = await cluster.client().get<Secret>(Secrets, "kube-system", `bootstrap-token-${id}`);
    expect(stored.type).toBe("bootstrap.kubernetes.io/token");
    const data = Object.fromEntries(
      Object.entries(stored.data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
    );
    expect(data).toEqual({
      "token-id": id,
      "token-secret": secret,
      expiration: `${new Date(Math.floor((clock.now() + 2 * 3_600_000) / 1000) * 1000).toISOString().slice(0, 19)}Z`,
      "usage-bootstrap-signing": "true",
      "usage-bootstrap-authentication": "true",
      "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token",
    });
    if (haveReference) {
      const directory = mkdtempSync(path.join(tmpdir(), "kubelab-kubeadm-"));
      writeFileSync(path.join(directory, "ca.crt"), await read("/etc/kubernetes/pki/ca.crt"));
      const expected = execFileSync(
        "sh",
        ["-c", `${reference} x509 -pubkey -in ca.crt | ${reference} pkey -pubin -outform der | sha256sum`],
        { cwd: directory, encoding: "utf8" },
      );
      expect(expected.split(" ")[0]).toBe(hash);
    }
    const listed = await run("controlplane", ["token", "list"]);
    expect(listed.stdout.split("\n")[0]).toBe(
      "TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION                                                EXTRA GROUPS",
    );
    expect(listed.stdout).toContain(`${id}.${secret}   2h          `);
    expect(listed.stdout).toContain("   authentication,signing   <none>   ");
    expect(await run("controlplane", ["token", "delete", id as string])).toMatchObject({
      status: 0,
      stdout: `bootstrap token "${id}" deleted\n`,
    });
    // Left is kubeadm init's token, past its 24 h (no tokencleaner runs in this cluster).
    const left = (await run("controlplane", ["token", "list"])).stdout.split("\n").slice(1).filter(Boolean);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(
      /^[a-z0-9]{6}\.[a-z0-9]{16} {3}<invalid> {3}\S+Z {3}authentication,signing {3}<none> +system:bootstrappers:kubeadm:default-node-token$/,
    );
  });

  it("plans an upgrade offline: the client's version is the target, and the cluster is at it", async () => {
    const { status, stdout, stderr } = await run("controlplane", ["upgrade", "plan"]);
    expect(status).toBe(0);
    expect(stdout).toContain(
      "[upgrade/versions] Cluster version: 1.32.0\n[upgrade/versions] kubeadm version: v1.32.0\n",
    );
    expect(stdout).toMatch(/Latest version in the v1\.32 series: v1\.32\.0\n\nAwesome, you're up-to-date! Enjoy!\n$/);
    expect(stderr).toMatch(/version\.go:105\] falling back to the local client version: v1\.32\.0\n/);
  });

  it("reads the kubeadm-config ConfigMap: without it certs fall back to defaults and upgrade plan stops", async () => {
    const client = cluster.client();
    const saved = await client.get<ConfigMap>(ConfigMaps, "kube-system", "kubeadm-config");
    expect(saved.data?.ClusterConfiguration).toContain("kind: ClusterConfiguration\nkubernetesVersion: v1.32.0\n");
    await client.delete(ConfigMaps, "kube-system", "kubeadm-config");
    const reading =
      '[check-expiration] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n' +
      "[check-expiration] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it.\n";
    expect((await run("controlplane", ["certs", "check-expiration"])).stdout).toMatch(
      new RegExp(
        `^${escapeRegExp(reading)}\\[check-expiration\\] Error reading configuration from the Cluster\\. Falling back to default configuration\n\nCERTIFICATE `,
      ),
    );
    const plan = await run("controlplane", ["upgrade", "plan"]);
    expect(plan.status).toBe(1);
    expect(plan.stdout).toMatch(
      /In order to upgrade, a ConfigMap called "kubeadm-config" in the "kube-system" namespace must exist\.\n\[upgrade\/config\] Use 'kubeadm init phase upload-config --config your-config\.yaml' to re-upload it\.\n$/,
    );
    expect(plan.stderr).toBe(
      '[upgrade/init config] FATAL: the ConfigMap "kubeadm-config" in the "kube-system" namespace was not found\nTo see the stack trace of this error execute with --v=5 or higher\n',
    );
    await client.create<ConfigMap>(ConfigMaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kubeadm-config", namespace: "kube-system" },
      data: saved.data,
    });
    expect((await run("controlplane", ["certs", "check-expiration"])).stdout).toMatch(
      new RegExp(`^${escapeRegExp(reading)}\nCERTIFICATE `),
    );
  });

  it("refuses init and join on nodes already set up, as their preflight checks do", async () => {
    const init = await run("controlplane", ["init"]);
    expect(init.status).toBe(1);
    expect(init.stderr).toContain(
      "error execution phase preflight: [preflight] Some fatal errors occurred:\n\t[ERROR Port-6443]: Port 6443 is in use\n",
    );
    expect(init.stderr).toContain(
      "\t[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists\n",
    );
    const join = await run("node01", ["join", "192.168.0.2:6443", "--token", "abcdef.0123456789abcdef"]);
    expect(join.stderr).toContain(
      "\t[ERROR FileAvailable--etc-kubernetes-kubelet.conf]: /etc/kubernetes/kubelet.conf already exists\n\t[ERROR Port-10250]: Port 10250 is in use\n\t[ERROR FileAvailable--etc-kubernetes-pki-ca.crt]: /etc/kubernetes/pki/ca.crt already exists\n",
    );
    expect((await run("node01", ["reset"], "n\n")).stderr).toContain("aborted reset operation\n");
  });

  it("has no admin.conf on a worker: token commands fail to load it, certs are all missing", async () => {
    expect(await run("node01", ["token", "list"])).toMatchObject({
      status: 1,
      stderr:
        "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher\n",
    });
    const table = (await run("node01", ["certs", "check-expiration"])).stdout.split("\n");
    // "!MISSING! NAME" is the first cell, so the column widens to the longest of them (Go's tabwriter).
    expect(table[0]).toBe(
      "CERTIFICATE                          EXPIRES   RESIDUAL TIME   CERTIFICATE AUTHORITY   EXTERNALLY MANAGED",
    );
    expect(table[1]).toBe(`${"!MISSING! admin.conf".padEnd(37)}${" ".repeat(10 + 16 + 24)}`);
  });

  it.skipIf(!haveReference)("has certificates whose openssl -text is OpenSSL 3's", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "kubelab-kubeadm-"));
    for (const name of [
      "ca.crt",
      "apiserver.crt",
      "apiserver-kubelet-client.crt",
      "front-proxy-ca.crt",
      "front-proxy-client.crt",
      "apiserver-etcd-client.crt",
      "etcd/ca.crt",
      "etcd/server.crt",
      "etcd/peer.crt",
      "etcd/healthcheck-client.crt",
    ]) {
      const pem = await read(`/etc/kubernetes/pki/${name}`);
      const file = path.join(directory, name.replace("/", "-"));
      writeFileSync(file, pem);
      const ours = await runOpenssl(["x509", "-in", "cert.pem", "-noout", "-text"], {
        read: async () => Buffer.from(pem),
        write: async () => false,
        stdin: "",
        now: () => clock.now(),
      });
      const real = execFileSync(reference, ["x509", "-in", file, "-noout", "-text"], { encoding: "latin1" });
      expect(ours.stdout, name).toBe(real);
    }
  });
});
