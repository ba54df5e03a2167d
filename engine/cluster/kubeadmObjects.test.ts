import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ConfigMap, Secret } from "../api/core";
import { ClusterRoleBindings, ConfigMaps, RoleBindings, Roles, Secrets } from "../api/resources";
import { VirtualClock } from "../clock/VirtualClock";
import { tokenData } from "../controllers/bootstrap/tokens";
import { writeKubeadmFiles } from "../kubelet/kubeadmFiles";
import { InMemoryNodeFileSystem } from "../kubelet/NodeFileSystem";
import { createCluster } from "./createCluster";

const start = Date.UTC(2026, 0, 1, 12);

describe("what kubeadm init and kube-apiserver add to a new cluster", async () => {
  const clock = new VirtualClock(start);
  const cluster = createCluster({ clock, components: [] });
  await cluster.ready;
  const client = cluster.client();
  const configMap = (namespace: string, name: string) => client.get<ConfigMap>(ConfigMaps, namespace, name);
  const rootCa = (await configMap("kube-system", "kube-root-ca.crt")).data?.["ca.crt"];

  it("uploads the ClusterConfiguration and the KubeletConfiguration every node's config.yaml holds", async () => {
    const kubeadm = await configMap("kube-system", "kubeadm-config");
    expect(Object.keys(kubeadm.data ?? {})).toEqual(["ClusterConfiguration"]);
    expect(parse(kubeadm.data?.ClusterConfiguration ?? "")).toMatchObject({
      apiVersion: "kubeadm.k8s.io/v1beta4",
      kind: "ClusterConfiguration",
      kubernetesVersion: "v1.32.0",
      encryptionAlgorithm: "ECDSA-P256",
      networking: { dnsDomain: "cluster.local", podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/12" },
    });
    expect(kubeadm.metadata.managedFields?.[0]?.manager).toBe("kubeadm");
    const kubelet = await configMap("kube-system", "kubelet-config");
    const node = new InMemoryNodeFileSystem();
    await writeKubeadmFiles(node, "node01", "worker", "192.168.0.3", "192.168.0.2", start);
    expect(kubelet.data).toEqual({ kubelet: await node.readFile("/var/lib/kubelet/config.yaml") });
    const hash = createHash("sha256")
      .update(kubelet.data?.kubelet ?? "")
      .digest("hex");
    expect(kubelet.metadata.annotations).toEqual({ "kubeadm.kubernetes.io/component-config.hash": `sha256:${hash}` });
  });

  it("publishes cluster-info with the cluster CA and the API endpoint, readable anonymously", async () => {
    const info = await configMap("kube-public", "cluster-info");
    expect(info.data?.kubeconfig).toBe(
      `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: ${Buffer.from(rootCa ?? "").toString("base64")}\n    server: https://192.168.0.2:6443\n  name: ""\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n`,
    );
    const role = await client.get(Roles, "kube-public", "kubeadm:bootstrap-signer-clusterinfo");
    expect(role).toMatchObject({
      rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-info"], verbs: ["get"] }],
    });
    const binding = await client.get(RoleBindings, "kube-public", "kubeadm:bootstrap-signer-clusterinfo");
    expect(binding).toMatchObject({ subjects: [{ kind: "User", name: "system:anonymous" }] });
    const anonymous = cluster.client({ username: "system:anonymous", groups: ["system:unauthenticated"] });
    expect((await anonymous.get<ConfigMap>(ConfigMaps, "kube-public", "cluster-info")).data).toEqual(info.data);
    await expect(anonymous.get(ConfigMaps, "kube-system", "kubeadm-config")).rejects.toThrow(
      'configmaps "kubeadm-config" is forbidden: User "system:anonymous" cannot get resource "configmaps" in API group "" in the namespace "kube-system"',
    );
  });

  it("lets nodes and bootstrap tokens read kubeadm's ConfigMaps, and token holders join", async () => {
    for (const name of ["kubeadm:nodes-kubeadm-config", "kubeadm:kubelet-config"]) {
      const binding = await client.get(RoleBindings, "kube-system", name);
      expect(
        (binding as { subjects?: Array<{ name: string }> }).subjects?.map((subject) => subject.name).sort(),
      ).toEqual(["system:bootstrappers:kubeadm:default-node-token", "system:nodes"]);
    }
    const bindings = (await client.list(ClusterRoleBindings)).items.map((item) => item.metadata.name);
    expect(bindings).toEqual(
      expect.arrayContaining([
        "kubeadm:get-nodes",
        "kubeadm:kubelet-bootstrap",
        "kubeadm:node-autoapprove-bootstrap",
        "kubeadm:node-autoapprove-certificate-rotation",
      ]),
    );
  });

  it("makes kubeadm init's bootstrap token, valid 24 h", async () => {
    const secrets = (await client.list<Secret>(Secrets, "kube-system")).items.filter(
      (secret) => secret.type === "bootstrap.kubernetes.io/token",
    );
    expect(secrets).toHaveLength(1);
    const token = secrets[0] as Secret;
    expect(token.metadata.name).toBe(`bootstrap-token-${tokenData(token, "token-id")}`);
    expect(tokenData(token, "token-id")).toMatch(/^[a-z0-9]{6}$/);
    expect(tokenData(token, "token-secret")).toMatch(/^[a-z0-9]{16}$/);
    expect(tokenData(token, "expiration")).toBe("2026-01-02T12:00:00Z");
    expect(Object.keys(token.data ?? {}).sort()).toEqual([
      "auth-extra-groups",
      "expiration",
      "token-id",
      "token-secret",
      "usage-bootstrap-authentication",
      "usage-bootstrap-signing",
    ]);
  });

  it("has kube-apiserver's authentication ConfigMap and legacy token tracking", async () => {
    const authentication = await configMap("kube-system", "extension-apiserver-authentication");
    expect(authentication.data?.["client-ca-file"]).toBe(rootCa);
    expect(authentication.data?.["requestheader-client-ca-file"]).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(authentication.data?.["requestheader-client-ca-file"]).not.toBe(rootCa);
    expect(authentication.data?.["requestheader-allowed-names"]).toBe('["front-proxy-client"]');
    expect(authentication.data?.["requestheader-username-headers"]).toBe('["X-Remote-User"]');
    expect((await configMap("kube-system", "kube-apiserver-legacy-service-account-token-tracking")).data).toEqual({
      since: "2026-01-01",
    });
  });

  it("leaves a restored store as it is: no second token", async () => {
    const again = createCluster({ clock, components: [], store: cluster.store });
    await again.ready;
    const secrets = (await again.client().list<Secret>(Secrets, "kube-system")).items;
    expect(secrets.filter((secret) => secret.type === "bootstrap.kubernetes.io/token")).toHaveLength(1);
    again.stop();
    cluster.stop();
  });
});
