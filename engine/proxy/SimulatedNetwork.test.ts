import { describe, expect, it } from "vitest";
import type { Node, Pod, Service } from "../api/core";
import type { EndpointSlice } from "../api/discovery";
import { EndpointSlices, Nodes, Pods, Services } from "../api/resources";
import { VirtualClock } from "../clock/VirtualClock";
import { createCluster } from "../cluster/createCluster";
import { createNetwork } from "./createNetwork";
import { NetworkError, type NetworkSource } from "./Network";

const nodeIps: Record<string, string> = { controlplane: "192.168.0.2", node01: "192.168.0.3", node02: "192.168.0.4" };

async function setup(random: () => number = () => 0, withDns = true) {
  const clock = new VirtualClock();
  const cluster = createCluster({ clock, components: [] });
  await cluster.ready;
  const client = cluster.client();
  for (const [name, ip] of Object.entries(nodeIps)) {
    const node: Node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name } },
      status: {
        addresses: [
          { type: "InternalIP", address: ip },
          { type: "Hostname", address: name },
        ],
      },
    };
    await client.create(Nodes, node);
  }
  // kube-dns as kubeadm installs it, with one ready CoreDNS endpoint on the control plane.
  await client.create(Services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kube-dns", namespace: "kube-system" },
    spec: {
      clusterIP: "10.96.0.10",
      ports: [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
      ],
    },
  });
  if (withDns) {
    await client.create(EndpointSlices, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "kube-dns-x1", namespace: "kube-system", labels: { "kubernetes.io/service-name": "kube-dns" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.244.0.2"], conditions: { ready: true }, nodeName: "controlplane" }],
      ports: [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
      ],
    });
  }
  const net = createNetwork({ clock, client, speed: "fast", log: () => {} }, { random });
  await clock.advance(0);
  await net.synced;

  const pod = async (
    name: string,
    ip: string,
    nodeName: string,
    namespace = "default",
    extra: Partial<Pod["spec"]> = {},
  ) => {
    await client.create(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      spec: { nodeName, containers: [{ name: "c", image: "nginx" }], ...extra },
    });
    await client.patch(
      Pods,
      namespace,
      name,
      "merge",
      { status: { phase: "Running", podIP: ip, podIPs: [{ ip }] } },
      { subresource: "status" },
    );
  };
  const service = async (name: string, spec: Service["spec"], namespace = "default") =>
    client.create<Service>(Services, { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec });
  const slice = async (
    service: string,
    endpoints: EndpointSlice["endpoints"],
    ports: EndpointSlice["ports"] = [{ name: "", port: 80, protocol: "TCP" }],
    namespace = "default",
  ) =>
    client.create<EndpointSlice>(EndpointSlices, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${service}-abc12`, namespace, labels: { "kubernetes.io/service-name": service } },
      addressType: "IPv4",
      endpoints,
      ports,
    });
  const serve = (ip: string, port: number, body = `hello from ${ip}`) =>
    net.network.listen(ip, port, {
      http: (_request, peer) => ({ status: 200, headers: {}, body: `${body} (peer ${peer.ip})` }),
    });
  const get = async (source: NetworkSource, host: string, port: number) => {
    const connection = await net.network.connect(source, host, port, { timeoutMs: 5_000 });
    return (await connection.http({ method: "GET", path: "/", headers: {} })).body;
  };
  const settle = () => clock.advance(0);
  return { clock, cluster, client, net, pod, service, slice, serve, get, settle };
}

const ready = (ip: string, nodeName: string, extra: Record<string, unknown> = {}) => ({
  addresses: [ip],
  conditions: { ready: true, serving: true, terminating: false },
  nodeName,
  ...extra,
});
const client1: NetworkSource = { ip: "10.244.1.9", namespace: "default" };

describe("SimulatedNetwork", () => {
  it("routes a ClusterIP and its DNS names to a ready endpoint", async () => {
    const t = await setup();
    await t.pod("client", "10.244.1.9", "node01");
    await t.pod("web-1", "10.244.1.5", "node01");
    const svc = await t.service("web", { selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }] });
    await t.slice("web", [ready("10.244.1.5", "node01")]);
    t.serve("10.244.1.5", 80);
    await t.settle();
    const clusterIP = svc.spec?.clusterIP as string;
    expect(clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    for (const host of [clusterIP, "web", "web.default", "web.default.svc", "web.default.svc.cluster.local"]) {
      expect(await t.get(client1, host, 80)).toBe("hello from 10.244.1.5 (peer 10.244.1.9)");
    }
    const answer = await t.net.network.resolve(client1, "web");
    expect(answer).toEqual({ name: "web.default.svc.cluster.local", addresses: [clusterIP], server: "10.96.0.10" });
    t.cluster.stop();
  });

  it("refuses a service without endpoints, as kube-proxy's REJECT rule does", async () => {
    const t = await setup();
    const svc = await t.service("empty", { ports: [{ port: 80 }] });
    await t.settle();
    const error = await t.net.network.connect(client1, svc.spec?.clusterIP as string, 80).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.code).toBe("ConnectionRefused");
    expect(t.net.kubeProxy.iptablesSave("node01")).toContain(
      `-A KUBE-SERVICES -d ${svc.spec?.clusterIP}/32 -p tcp -m comment --comment "default/empty has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable`,
    );
    t.cluster.stop();
  });

  const failures = [
    { name: "a running pod without a listener refuses", host: "10.244.2.7", code: "ConnectionRefused", waited: 0 },
    { name: "an unknown address times out", host: "10.244.9.9", code: "Timeout", waited: 5_000 },
    { name: "a ClusterIP on a port it does not serve times out", host: "10.96.0.1", code: "Timeout", waited: 5_000 },
  ];
  for (const c of failures) {
    it(c.name, async () => {
      const t = await setup();
      await t.pod("idle", "10.244.2.7", "node02");
      await t.settle();
      const started = t.clock.now();
      const attempt = t.net.network.connect(client1, c.host, 8080, { timeoutMs: 5_000 }).catch((e) => e);
      await t.clock.advance(5_000);
      const error = await attempt;
      expect(error.code).toBe(c.code);
      expect(error.message).toBe(
        `Failed to connect to ${c.host} port 8080 after ${c.waited} ms: Couldn't connect to server`,
      );
      expect(t.clock.now() - started).toBe(5_000);
      t.cluster.stop();
    });
  }

  it("excludes not-ready and terminating endpoints, falling back to serving terminating ones", async () => {
    const t = await setup();
    const svc = await t.service("web", { ports: [{ port: 80 }] });
    await t.slice("web", [
      {
        addresses: ["10.244.1.5"],
        conditions: { ready: false, serving: false, terminating: false },
        nodeName: "node01",
      },
      { addresses: ["10.244.1.6"], conditions: { ready: false, serving: true, terminating: true }, nodeName: "node01" },
      ready("10.244.2.5", "node02"),
    ]);
    for (const ip of ["10.244.1.5", "10.244.1.6", "10.244.2.5"]) t.serve(ip, 80);
    await t.settle();
    const ip = svc.spec?.clusterIP as string;
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) seen.add(await t.get(client1, ip, 80));
    expect([...seen]).toEqual(["hello from 10.244.2.5 (peer 10.244.1.9)"]);
    // The ready endpoint goes away: the terminating-but-serving one drains the traffic.
    await t.client.patch(EndpointSlices, "default", "web-abc12", "merge", {
      endpoints: [
        {
          addresses: ["10.244.1.6"],
          conditions: { ready: false, serving: true, terminating: true },
          nodeName: "node01",
        },
      ],
    });
    await t.settle();
    expect(await t.get(client1, ip, 80)).toBe("hello from 10.244.1.6 (peer 10.244.1.9)");
    t.cluster.stop();
  });

  it("spreads connections at random and keeps ClientIP affinity", async () => {
    let next = 0;
    const sequence = [0.1, 0.9, 0.1, 0.9];
    const t = await setup(() => sequence[next++ % sequence.length]);
    const plain = await t.service("plain", { ports: [{ port: 80 }] });
    await t.slice("plain", [ready("10.244.1.5", "node01"), ready("10.244.2.5", "node02")]);
    const sticky = await t.service("sticky", { ports: [{ port: 80 }], sessionAffinity: "ClientIP" });
    await t.client.create(EndpointSlices, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "sticky-x", namespace: "default", labels: { "kubernetes.io/service-name": "sticky" } },
      addressType: "IPv4",
      endpoints: [ready("10.244.1.5", "node01"), ready("10.244.2.5", "node02")],
      ports: [{ name: "", port: 80, protocol: "TCP" }],
    });
    t.serve("10.244.1.5", 80, "a");
    t.serve("10.244.2.5", 80, "b");
    await t.settle();
    const plainIp = plain.spec?.clusterIP as string;
    const stickyIp = sticky.spec?.clusterIP as string;
    const plainAnswers = [await t.get(client1, plainIp, 80), await t.get(client1, plainIp, 80)];
    expect(new Set(plainAnswers).size).toBe(2);
    const stickyAnswers = [];
    for (let i = 0; i < 4; i++) stickyAnswers.push(await t.get(client1, stickyIp, 80));
    expect(new Set(stickyAnswers).size).toBe(1);
    // The affinity lasts 10800 s by default; after that a new choice is made.
    await t.clock.advance(10_800_000);
    const later = new Set<string>();
    for (let i = 0; i < 4; i++) later.add(await t.get(client1, stickyIp, 80));
    expect(later.size).toBe(1);
    const saved = t.net.kubeProxy.iptablesSave("node01");
    expect(saved).toContain("-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-");
    expect(saved).toContain("-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-");
    t.cluster.stop();
  });

  it("serves NodePorts on every node IP, masquerading to the node, and honors externalTrafficPolicy Local", async () => {
    const t = await setup();
    const svc = await t.service("web", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] });
    const local = await t.service("local", {
      type: "NodePort",
      externalTrafficPolicy: "Local",
      ports: [{ port: 80, nodePort: 30081 }],
    });
    await t.slice("web", [ready("10.244.1.5", "node01")]);
    await t.client.create(EndpointSlices, {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "local-x", namespace: "default", labels: { "kubernetes.io/service-name": "local" } },
      addressType: "IPv4",
      endpoints: [ready("10.244.1.5", "node01")],
      ports: [{ name: "", port: 80, protocol: "TCP" }],
    });
    t.serve("10.244.1.5", 80);
    await t.settle();
    expect(svc.spec?.ports?.[0].nodePort).toBe(30080);
    const outside: NetworkSource = { ip: "192.168.0.100" };
    for (const nodeIp of Object.values(nodeIps)) {
      expect(await t.get(outside, nodeIp, 30080)).toBe(`hello from 10.244.1.5 (peer ${nodeIp})`);
    }
    // Local: only the node with an endpoint answers, and the client's address is kept.
    expect(await t.get(outside, "192.168.0.3", 30081)).toBe("hello from 10.244.1.5 (peer 192.168.0.100)");
    const dropped = t.net.network.connect(outside, "192.168.0.4", 30081, { timeoutMs: 1_000 }).catch((e) => e);
    await t.clock.advance(1_000);
    expect((await dropped).code).toBe("Timeout");
    expect(local.spec?.externalTrafficPolicy).toBe("Local");
    const saved = t.net.kubeProxy.iptablesSave("node02");
    expect(saved).toMatch(
      /-A KUBE-NODEPORTS -p tcp -m comment --comment default\/web -m tcp --dport 30080 -j KUBE-EXT-[A-Z2-7]{16}/,
    );
    expect(saved).toContain(
      '-m comment --comment "masquerade traffic for default/web external destinations" -j KUBE-MARK-MASQ',
    );
    t.cluster.stop();
  });

  it("routes load balancer ingress IPs and resolves named target ports through the slice", async () => {
    const t = await setup();
    await t.service("lb", { type: "LoadBalancer", ports: [{ name: "http", port: 80, targetPort: "web" }] });
    await t.client.patch(
      Services,
      "default",
      "lb",
      "merge",
      { status: { loadBalancer: { ingress: [{ ip: "172.18.255.200" }] } } },
      { subresource: "status" },
    );
    await t.slice("lb", [ready("10.244.2.5", "node02")], [{ name: "http", port: 8080, protocol: "TCP" }]);
    t.serve("10.244.2.5", 8080);
    await t.settle();
    const connection = await t.net.network.connect({ ip: "192.168.0.100" }, "172.18.255.200", 80);
    expect(connection.remote).toEqual({ ip: "10.244.2.5", port: 8080 });
    t.cluster.stop();
  });
});

describe("cluster DNS", () => {
  async function dnsSetup(withDns = true) {
    const t = await setup(() => 0, withDns);
    await t.service("db", { clusterIP: "None", ports: [{ port: 5432 }] });
    await t.slice("db", [
      ready("10.244.1.7", "node01", { hostname: "db-0" }),
      ready("10.244.2.7", "node02", { hostname: "db-1" }),
      { addresses: ["10.244.2.8"], conditions: { ready: false }, hostname: "db-2" },
    ]);
    await t.service("search", { type: "ExternalName", externalName: "db.default.svc.cluster.local" });
    await t.service("google", { type: "ExternalName", externalName: "www.google.com" });
    await t.settle();
    return t;
  }

  const cases: Array<{
    name: string;
    query: string;
    source?: NetworkSource;
    expected: { name: string; addresses: string[]; cname?: string } | string;
  }> = [
    {
      name: "headless service: ready pod IPs",
      query: "db",
      expected: { name: "db.default.svc.cluster.local", addresses: ["10.244.1.7", "10.244.2.7"] },
    },
    {
      name: "StatefulSet pod by hostname",
      query: "db-1.db",
      expected: { name: "db-1.db.default.svc.cluster.local", addresses: ["10.244.2.7"] },
    },
    { name: "not-ready pod has no record", query: "db-2.db.default.svc.cluster.local", expected: "NameNotResolved" },
    {
      name: "pod A record",
      query: "10-244-1-7.default.pod.cluster.local",
      expected: { name: "10-244-1-7.default.pod.cluster.local", addresses: ["10.244.1.7"] },
    },
    {
      name: "ExternalName CNAME to a cluster name",
      query: "search",
      expected: {
        name: "search.default.svc.cluster.local",
        cname: "db.default.svc.cluster.local",
        addresses: ["10.244.1.7", "10.244.2.7"],
      },
    },
    {
      name: "ExternalName to the outside world",
      query: "google.default.svc.cluster.local",
      expected: { name: "google.default.svc.cluster.local", cname: "www.google.com", addresses: [] },
    },
    { name: "other namespace needs its name", query: "kube-dns", expected: "NameNotResolved" },
    {
      name: "other namespace by name",
      query: "kube-dns.kube-system",
      expected: { name: "kube-dns.kube-system.svc.cluster.local", addresses: ["10.96.0.10"] },
    },
    { name: "unknown name", query: "nope", expected: "NameNotResolved" },
    {
      name: "a node's resolver does not know cluster names",
      query: "kubernetes.default.svc.cluster.local",
      source: { ip: "192.168.0.3" },
      expected: "NameNotResolved",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const t = await dnsSetup();
      const answer = await t.net.network.resolve(c.source ?? client1, c.query).catch((e) => e.code);
      if (typeof c.expected === "string") expect(answer).toBe(c.expected);
      else expect(answer).toEqual({ server: "10.96.0.10", cname: undefined, ...c.expected });
      t.cluster.stop();
    });
  }

  it("times out when kube-dns has no ready endpoints", async () => {
    const t = await dnsSetup(false);
    const lookup = t.net.network.resolve(client1, "db").catch((e) => e);
    await t.clock.advance(15_000);
    const error = await lookup;
    expect(error.code).toBe("Timeout");
    expect(error.message).toBe(";; connection timed out; no servers could be reached");
    t.cluster.stop();
  });

  it("names kube-dns's chain as every cluster does", async () => {
    const t = await dnsSetup();
    const saved = t.net.kubeProxy.iptablesSave("node01");
    expect(saved).toContain(
      '-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU',
    );
    expect(saved).toContain(
      '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y',
    );
    expect(saved).toContain("-A KUBE-SEP-");
    expect(saved).toMatch(
      /-A KUBE-SEP-[A-Z2-7]{16} -p udp -m comment --comment kube-system\/kube-dns:dns -m udp -j DNAT --to-destination 10.244.0.2:53/,
    );
    const listing = t.net.kubeProxy.iptablesList("node01", "nat", "KUBE-SVC-TCOU7JCQXEZGVUNU");
    // The same rules reach node shells and kube-proxy pods through the Network the runtime holds.
    expect(t.net.network.iptables?.("node01").list("nat", "KUBE-SVC-TCOU7JCQXEZGVUNU")).toBe(listing);
    expect(t.net.network.iptables?.("node01").save()).toBe(saved);
    expect(listing).toContain("Chain KUBE-SVC-TCOU7JCQXEZGVUNU (1 references)");
    expect(listing).toContain(
      "KUBE-MARK-MASQ  udp  -- !10.244.0.0/16        10.96.0.10           /* kube-system/kube-dns:dns cluster IP */ udp dpt:53",
    );
    expect(listing).toContain("target     prot opt source               destination");
    t.cluster.stop();
  });
});
