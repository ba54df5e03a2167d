import { describe, expect, it } from "vitest";
import type { NetworkPolicy } from "../api/networking";
import { EndpointSlices, Namespaces, NetworkPolicies, Nodes, Pods, ServiceAccounts, Services } from "../api/resources";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "../cluster/createCluster";
import { createNetwork } from "./createNetwork";
import type { NetworkSource } from "./Network";
import { inCidr } from "./NetworkPolicies";

async function setup(policies: NetworkPolicy["spec"][], namespace = "default") {
  const clock = new VirtualClock();
  const cluster = createCluster({ clock, components: [] });
  await cluster.ready;
  const client = cluster.client();
  await client.create(Nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node01" },
    status: { addresses: [{ type: "InternalIP", address: "192.168.0.3" }] },
  });
  await client.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } });
  // No controller manager here: the ServiceAccount admission needs the namespace's default account.
  await client.create(ServiceAccounts, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", namespace: "monitoring" },
  });
  const pod = async (name: string, ip: string, ns: string, labels: Record<string, string>) => {
    await client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: ns, labels },
      spec: {
        nodeName: "node01",
        containers: [{ name: "c", image: "nginx", ports: [{ name: "http", containerPort: 80 }] }],
      },
    });
    await client.patch(Pods, ns, name, "merge", { status: { phase: "Running", podIP: ip } }, { subresource: "status" });
  };
  await pod("web", "10.244.1.10", "default", { app: "web" });
  await pod("friend", "10.244.1.11", "default", { access: "true" });
  await pod("stranger", "10.244.1.12", "default", {});
  await pod("prometheus", "10.244.1.13", "monitoring", { app: "prometheus" });
  await pod("coredns", "10.244.0.2", "kube-system", { "k8s-app": "kube-dns" });
  await client.create(Services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system" },
    spec: { clusterIP: "10.96.0.10", ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
  });
  await client.create(EndpointSlices, {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kube-dns-1", namespace: "kube-system", labels: { "kubernetes.io/service-name": "kube-dns" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.244.0.2"], conditions: { ready: true } }],
    ports: [{ name: "dns", port: 53, protocol: "UDP" }],
  });
  await client.create(Services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default" },
    spec: { ports: [{ port: 80 }] },
  });
  await client.create(EndpointSlices, {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "web-1", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.244.1.10"], conditions: { ready: true } }],
    ports: [{ port: 80, protocol: "TCP", name: "" }],
  });
  let index = 0;
  for (const spec of policies) {
    await client.create(NetworkPolicies, {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `policy-${index++}`, namespace },
      spec,
    });
  }
  const net = createNetwork({ clock, client, speed: "fast", log: () => {} });
  await clock.advance(0);
  await net.synced;
  for (const ip of ["10.244.1.10", "10.244.1.11", "10.244.1.12", "10.244.1.13"]) {
    for (const port of [80, 8080])
      net.network.listen(ip, port, { http: () => ({ status: 200, headers: {}, body: "ok" }) });
  }
  /** "ok", "Timeout" or another error code. */
  const reach = async (source: NetworkSource, host: string, port: number) => {
    const attempt = net.network
      .connect(source, host, port, { timeoutMs: 1_000 })
      .then(async (connection) => (await connection.http({ method: "GET", path: "/", headers: {} })).body)
      .catch((error) => error.code as string);
    await clock.advance(20_000);
    return attempt;
  };
  return { clock, cluster, net, reach };
}

const from = (ip: string, namespace = "default"): NetworkSource => ({ ip, namespace });
const friend = from("10.244.1.11");
const stranger = from("10.244.1.12");
const prometheus = from("10.244.1.13", "monitoring");
const webSelector = { matchLabels: { app: "web" } };

describe("NetworkPolicy enforcement", () => {
  const cases: Array<{
    name: string;
    policies: NetworkPolicy["spec"][];
    source: NetworkSource;
    host?: string;
    port?: number;
    expected: string;
  }> = [
    { name: "no policy: open", policies: [], source: stranger, expected: "ok" },
    {
      name: "default deny ingress",
      policies: [{ podSelector: {}, policyTypes: ["Ingress"] }],
      source: friend,
      expected: "Timeout",
    },
    {
      name: "deny applies through the Service too",
      policies: [{ podSelector: {}, policyTypes: ["Ingress"] }],
      source: friend,
      host: "web",
      expected: "Timeout",
    },
    {
      name: "allowed by pod label",
      policies: [
        { podSelector: webSelector, ingress: [{ from: [{ podSelector: { matchLabels: { access: "true" } } }] }] },
      ],
      source: friend,
      host: "web",
      expected: "ok",
    },
    {
      name: "not allowed without the label",
      policies: [
        { podSelector: webSelector, ingress: [{ from: [{ podSelector: { matchLabels: { access: "true" } } }] }] },
      ],
      source: stranger,
      expected: "Timeout",
    },
    {
      name: "podSelector alone means the policy's namespace",
      policies: [{ podSelector: webSelector, ingress: [{ from: [{ podSelector: {} }] }] }],
      source: prometheus,
      expected: "Timeout",
    },
    {
      name: "namespaceSelector by the automatic name label",
      policies: [
        {
          podSelector: webSelector,
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] },
          ],
        },
      ],
      source: prometheus,
      expected: "ok",
    },
    {
      name: "port rule blocks other ports",
      policies: [{ podSelector: webSelector, ingress: [{ ports: [{ port: 80 }] }] }],
      source: stranger,
      port: 8080,
      expected: "Timeout",
    },
    {
      name: "named port",
      policies: [{ podSelector: webSelector, ingress: [{ ports: [{ port: "http" }] }] }],
      source: stranger,
      expected: "ok",
    },
    {
      name: "ipBlock with except",
      policies: [
        {
          podSelector: webSelector,
          ingress: [{ from: [{ ipBlock: { cidr: "10.244.1.0/24", except: ["10.244.1.12/32"] } }] }],
        },
      ],
      source: stranger,
      expected: "Timeout",
    },
    {
      name: "the node itself (kubelet probes) is never blocked",
      policies: [{ podSelector: {}, policyTypes: ["Ingress"] }],
      source: { ip: "192.168.0.3" },
      expected: "ok",
    },
    {
      name: "default deny egress blocks DNS",
      policies: [{ podSelector: {}, policyTypes: ["Egress"] }],
      source: stranger,
      host: "web",
      expected: "Timeout",
    },
    {
      name: "egress allowing DNS and web",
      policies: [
        {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
              ports: [{ port: 53, protocol: "UDP" }],
            },
            { to: [{ podSelector: webSelector }] },
          ],
        },
      ],
      source: stranger,
      host: "web",
      expected: "ok",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const t = await setup(c.policies);
      expect(await t.reach(c.source, c.host ?? "10.244.1.10", c.port ?? 80)).toBe(c.expected);
      t.cluster.stop();
    });
  }

  const cidrs = [
    { ip: "10.244.1.12", cidr: "10.244.0.0/16", expected: true },
    { ip: "10.245.1.12", cidr: "10.244.0.0/16", expected: false },
    { ip: "1.2.3.4", cidr: "0.0.0.0/0", expected: true },
    { ip: "10.244.1.12", cidr: "10.244.1.12/32", expected: true },
  ];
  for (const c of cidrs) {
    it(`${c.ip} in ${c.cidr}: ${c.expected}`, () => expect(inCidr(c.ip, c.cidr)).toBe(c.expected));
  }
});
