import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Event, Pod, Service } from "../../api/core";
import type { Ingress } from "../../api/networking";
import {
  ClusterRoleBindings,
  ClusterRoles,
  ConfigMaps,
  Deployments,
  Events,
  IngressClasses,
  Ingresses,
  Namespaces,
  Pods,
  RoleBindings,
  Roles,
  ServiceAccounts,
  Services,
} from "../../api/resources";
import type { GroupVersionResource, KubeObject } from "../../api/types";
import { seededRandom } from "../../apiserver/testing/testServer";
import type { Client } from "../../client/Client";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { ingressNginxManifest } from "../../images/catalog/ingressNginxManifest";
import { nodeIp } from "../../kubelet/nodeObject";
import type { HttpResponse } from "../../proxy/Network";

const resources: Record<string, GroupVersionResource> = {
  Namespace: Namespaces,
  ServiceAccount: ServiceAccounts,
  Role: Roles,
  ClusterRole: ClusterRoles,
  RoleBinding: RoleBindings,
  ClusterRoleBinding: ClusterRoleBindings,
  ConfigMap: ConfigMaps,
  Service: Services,
  Deployment: Deployments,
  IngressClass: IngressClasses,
};

async function install(client: Client): Promise<void> {
  for (const document of parseAllDocuments(ingressNginxManifest)) {
    const object = document.toJS() as KubeObject;
    await client.create(resources[object.kind ?? ""], object);
  }
}

async function deployment(client: Client, name: string, image: string, replicas = 1): Promise<void> {
  await client.create(Deployments, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image }] } },
    },
  } as KubeObject);
  await service(client, name);
}

async function service(client: Client, name: string): Promise<void> {
  await client.create(Services, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default" },
    spec: { selector: { app: name }, ports: [{ port: 80 }] },
  } as KubeObject);
}

function path(path: string, pathType: string, name: string) {
  return { path, pathType, backend: { service: { name, port: { number: 80 } } } };
}

async function ingress(
  client: Client,
  name: string,
  rules: Array<{ host?: string; paths: ReturnType<typeof path>[] }>,
  extra: { annotations?: Record<string, string>; className?: string | null } = {},
): Promise<void> {
  await client.create(Ingresses, {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: "default", ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      ...(extra.className === null ? {} : { ingressClassName: extra.className ?? "nginx" }),
      rules: rules.map((rule) => ({ ...(rule.host ? { host: rule.host } : {}), http: { paths: rule.paths } })),
    },
  } as KubeObject);
}

/** `kubectl logs`: the container's stdout and stderr, as its kubelet serves them. */
function podLog(cluster: Cluster, pod: Pod): string {
  const stream = cluster.apiServer.kubelets.get(pod.spec?.nodeName ?? "")?.logs({
    namespace: pod.metadata.namespace ?? "",
    pod: pod.metadata.name ?? "",
    container: pod.spec?.containers[0].name ?? "",
    follow: false,
    previous: false,
    timestamps: false,
  });
  let text = "";
  stream?.onData((chunk) => {
    text += chunk;
  });
  return text;
}

describe("the ingress-nginx controller image", () => {
  let cluster: Cluster | undefined;
  afterEach(() => cluster?.stop());

  async function start() {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    cluster = createCluster({ clock, speed: "fast", random: seededRandom(11) });
    await cluster.ready;
    await clock.advance(5_000);
    const client = cluster.client();
    await install(client);
    await deployment(client, "web", "nginx:1.27");
    await deployment(client, "api", "traefik/whoami:v1.10");
    await service(client, "empty");
    await clock.advance(40_000);
    const network = cluster.network;
    if (!network) throw new Error("no network");
    const controller = await client.get<Service>(Services, "ingress-nginx", "ingress-nginx-controller");
    const nodePort = controller.spec?.ports?.find((port) => port.name === "http")?.nodePort ?? 0;
    /** A request from a node, through the controller's NodePort on the control plane's address. */
    const request = async (host: string, uri: string): Promise<HttpResponse> => {
      const connection = await network.connect({ ip: nodeIp(0) }, nodeIp(0), nodePort);
      return connection.http({ method: "GET", path: uri, headers: { Host: host, "User-Agent": "curl/8.12.1" } });
    };
    return { clock, client, request };
  }

  it("runs from the upstream manifest, becomes ready and answers the default backend's 404", async () => {
    const { client, request } = await start();
    const pods = await client.list<Pod>(Pods, "ingress-nginx");
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0].status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(pods.items[0].status?.containerStatuses?.[0].imageID).toBe(
      "registry.k8s.io/ingress-nginx/controller@sha256:d2fbc4ec70d8aa2050dd91a91506e998765e86c96f32cffb56c503c9c34eed5b",
    );
    const response = await request("example.com", "/");
    expect(response.status).toBe(404);
    expect(response.body).toBe(
      "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    );
    expect(response.headers["Content-Length"]).toBe("146");
    expect(response.headers.Server).toBeUndefined();
  });

  it("routes by host and path with ingress-nginx's precedence", async () => {
    const { clock, request } = await start();
    const client = cluster?.client() as Client;
    await ingress(client, "shop", [
      { host: "shop.example.com", paths: [path("/api", "Prefix", "api"), path("/", "Prefix", "web")] },
      { host: "*.example.com", paths: [path("/", "Prefix", "api")] },
      { host: "exact.example.com", paths: [path("/only", "Exact", "api"), path("/", "Prefix", "web")] },
      {
        host: "legacy.example.com",
        paths: [path("/app", "ImplementationSpecific", "api"), path("/", "Prefix", "web")],
      },
    ]);
    await clock.advance(1_000);
    const cases: Array<{ name: string; host: string; uri: string; backend: "web" | "api" | 404 }> = [
      { name: "longest prefix wins", host: "shop.example.com", uri: "/api/orders", backend: "api" },
      { name: "prefix by path element", host: "shop.example.com", uri: "/apiary", backend: "web" },
      { name: "the prefix itself", host: "shop.example.com", uri: "/api", backend: "api" },
      { name: "host header with a port", host: "shop.example.com:30080", uri: "/api", backend: "api" },
      { name: "wildcard host", host: "blog.example.com", uri: "/", backend: "api" },
      { name: "exact host beats the wildcard", host: "shop.example.com", uri: "/", backend: "web" },
      { name: "exact path", host: "exact.example.com", uri: "/only", backend: "api" },
      { name: "exact path is exact", host: "exact.example.com", uri: "/only/more", backend: "web" },
      {
        name: "ImplementationSpecific is nginx's plain prefix",
        host: "legacy.example.com",
        uri: "/application",
        backend: "api",
      },
      { name: "unknown host", host: "other.test", uri: "/", backend: 404 },
    ];
    for (const each of cases) {
      const response = await request(each.host, each.uri);
      // The nginx Pods answer with their version (`nginx/1.27.x`, a 404 for a missing file too);
      // the controller's default backend with a bare `nginx`.
      const got = response.body.includes("<center>nginx/")
        ? "web"
        : response.body.includes("Welcome to nginx!")
          ? "web"
          : response.body.includes("Hostname:")
            ? "api"
            : response.status;
      expect(got, each.name).toBe(each.backend);
    }
    // whoami shows what the controller forwards: the original Host and the X-Forwarded headers.
    const whoami = await request("shop.example.com", "/api");
    expect(whoami.body).toContain("Host: shop.example.com");
    expect(whoami.body).toContain("X-Forwarded-Host: shop.example.com");
    expect(whoami.body).toMatch(/X-Request-Id: [0-9a-f]{32}|X-Request-ID: [0-9a-f]{32}/);
  });

  it("answers 503 for a backend without endpoints, rewrites with capture groups, honours classes", async () => {
    const { clock, request, client } = await start();
    await ingress(client, "empty", [{ host: "empty.example.com", paths: [path("/", "Prefix", "empty")] }]);
    await ingress(
      client,
      "rewrite",
      [{ host: "rw.example.com", paths: [path("/app(/|$)(.*)", "ImplementationSpecific", "api")] }],
      { annotations: { "nginx.ingress.kubernetes.io/rewrite-target": "/$2" } },
    );
    await ingress(client, "other-class", [{ host: "other.example.com", paths: [path("/", "Prefix", "web")] }], {
      className: "traefik",
    });
    await ingress(client, "no-class", [{ host: "none.example.com", paths: [path("/", "Prefix", "web")] }], {
      className: null,
    });
    await clock.advance(1_000);
    const empty = await request("empty.example.com", "/");
    expect(empty.status).toBe(503);
    expect(empty.body).toBe(
      "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    );
    const rewritten = await request("rw.example.com", "/app/orders/7");
    expect(rewritten.body).toContain("GET /orders/7 HTTP/1.1");
    expect((await request("other.example.com", "/")).status).toBe(404);
    expect((await request("none.example.com", "/")).status).toBe(404);

    // An IngressClass marked default gives new class-less Ingresses its name (the DefaultIngressClass admission).
    const nginx = await client.get(IngressClasses, undefined, "nginx");
    nginx.metadata.annotations = { "ingressclass.kubernetes.io/is-default-class": "true" };
    await client.update(IngressClasses, nginx);
    await ingress(client, "defaulted", [{ host: "default.example.com", paths: [path("/", "Prefix", "web")] }], {
      className: null,
    });
    const defaulted = await client.get<Ingress>(Ingresses, "default", "defaulted");
    expect(defaulted.spec?.ingressClassName).toBe("nginx");
    await clock.advance(1_000);
    expect((await request("default.example.com", "/")).body).toContain("Welcome to nginx!");
  });

  it("sets the status address at its next sync, records Sync events and logs as ingress-nginx does", async () => {
    const { clock, client, request } = await start();
    await ingress(client, "shop", [{ host: "shop.example.com", paths: [path("/", "Prefix", "web")] }]);
    await clock.advance(1_000);
    const events = async () =>
      (await client.list<Event>(Events, "default")).items.filter((event) => event.involvedObject.name === "shop");
    const first = await events();
    expect(first.map((event) => [event.type, event.reason, event.message, event.source?.component])).toEqual([
      ["Normal", "Sync", "Scheduled for sync", "nginx-ingress-controller"],
    ]);
    await clock.advance(60_000);
    const shop = await client.get<Ingress>(Ingresses, "default", "shop");
    const controllerPod = (await client.list<Pod>(Pods, "ingress-nginx")).items[0];
    expect(shop.status?.loadBalancer?.ingress).toEqual([{ ip: controllerPod.status?.hostIP }]);
    // The status write is an update the controller sees: a second Sync.
    expect((await events())[0].count).toBe(2);

    await request("shop.example.com", "/");
    await request("nothing.example.com", "/x");
    const log = podLog(cluster as Cluster, controllerPod);
    expect(log).toContain("NGINX Ingress controller\n  Release:       v1.12.1\n");
    expect(log).toMatch(/"Found valid IngressClass" ingress="default\/shop" ingressclass="nginx"/);
    expect(log).toMatch(/successfully acquired lease ingress-nginx\/ingress-nginx-leader/);
    expect(log).toMatch(
      /"GET \/ HTTP\/1\.1" 200 615 "-" "curl\/8\.12\.1" \d+ 0\.\d{3} \[default-web-80\] \[\] 10\.244\.\d+\.\d+:80 615 0\.\d{3} 200 [0-9a-f]{32}/,
    );
    expect(log).toMatch(
      /"GET \/x HTTP\/1\.1" 404 146 "-" "curl\/8\.12\.1" \d+ 0\.000 \[upstream-default-backend\] \[\] 127\.0\.0\.1:8181 146 0\.000 404 [0-9a-f]{32}/,
    );
  });

  it("arms no timer once every Ingress shows its address", async () => {
    const { clock, client } = await start();
    await ingress(client, "shop", [{ host: "shop.example.com", paths: [path("/", "Prefix", "web")] }]);
    await clock.advance(120_000);
    const before = clock.pendingTimers;
    await clock.advance(10 * 60_000);
    expect(clock.pendingTimers).toBeLessThanOrEqual(before);
  });
});
