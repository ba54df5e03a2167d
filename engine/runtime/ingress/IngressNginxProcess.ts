import type { ConfigMap, Node, Pod, Service } from "../../api/core";
import type { EndpointSlice } from "../../api/discovery";
import type { Ingress, IngressBackend, IngressClass } from "../../api/networking";
import {
  ConfigMaps,
  EndpointSlices,
  IngressClasses,
  Ingresses,
  Leases,
  Nodes,
  Pods,
  Services,
} from "../../api/resources";
import type { KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import { createEventRecorder, type EventRecorder } from "../../client/eventRecorder";
import { type Informer, objectKey, SharedInformerFactory } from "../../client/informers";
import { toRfc3339Micro } from "../../clock/Clock";
import { kubernetesVersion, stableHex64 } from "../../images";
import { ingressNginxNginxVersion } from "../../images/catalog/ingressNginx";
import { type HttpRequest, type HttpResponse, NetworkError } from "../../proxy/Network";
import { deferred, type ExitStatus, type Process, type ProcessEnvironment, type Signal } from "../Process";
import { formatLogTime } from "../templates";
import { errorPage, nginxReasons } from "./pages";
import { buildServers, type Route, rewrite, route, type Server } from "./routing";

const tokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";
const classAnnotation = "kubernetes.io/ingress.class";
const encoder = new TextEncoder();
/** ingress-nginx's status sync period (status.go UpdateInterval). */
const statusIntervalMs = 60_000;
/** proxy-connect-timeout's default. */
const connectTimeoutMs = 5_000;
/** The controller's PID under dumb-init, as its klog lines show it. */
const pid = 7;

/** The controller's flags that change what it does, with their defaults. */
interface Flags {
  ingressClass: string;
  controllerClass: string;
  watchWithoutClass: boolean;
  ingressClassByName: boolean;
  publishService?: string;
  configmap?: string;
  electionId: string;
  httpPort: number;
  httpsPort: number;
  healthzPort: number;
}

function parseFlags(args: string[], env: Record<string, string>): Flags {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) continue;
    const name = arg.replace(/^--?/, "");
    const equals = name.indexOf("=");
    if (equals >= 0) values.set(name.slice(0, equals), name.slice(equals + 1));
    else if (args[i + 1] !== undefined && !args[i + 1].startsWith("-")) values.set(name, args[++i]);
    else values.set(name, "true");
  }
  // $(POD_NAMESPACE) is expanded by the kubelet; a value it left alone is expanded from the environment.
  const expand = (value: string | undefined) => value?.replace(/\$\((\w+)\)/g, (_w, name: string) => env[name] ?? "");
  const bool = (name: string) => values.get(name) === "true";
  const number = (name: string, fallback: number) => Number(values.get(name) ?? fallback) || fallback;
  return {
    ingressClass: values.get("ingress-class") ?? "nginx",
    controllerClass: values.get("controller-class") ?? "k8s.io/ingress-nginx",
    watchWithoutClass: bool("watch-ingress-without-class"),
    ingressClassByName: bool("ingress-class-by-name"),
    publishService: expand(values.get("publish-service")),
    configmap: expand(values.get("configmap")),
    electionId: values.get("election-id") ?? "ingress-controller-leader",
    httpPort: number("http-port", 80),
    httpsPort: number("https-port", 443),
    healthzPort: number("healthz-port", 10254),
  };
}

/** klog's header: `I0102 15:04:05.000000       7 file.go:123] `. */
function klog(level: "I" | "W" | "E" | "F", now: number, source: string, message: string): string {
  return `${level}${formatLogTime("klog", now).slice(1)} ${String(pid).padStart(7)} ${source}] ${message}\n`;
}

function goQuote(value: string): string {
  return JSON.stringify(value);
}

/**
 * /nginx-ingress-controller (ingress-nginx v1.12): authenticates with its pod's ServiceAccount
 * token, watches IngressClasses, Ingresses, Services and EndpointSlices, and serves HTTP on :80
 * and :443 routed by the Ingresses of its class, proxying to the Services' ready endpoints through
 * the pod's own network (so NetworkPolicies apply to it). The leader writes the Ingresses' status
 * addresses. Everything it does follows watch events; the only timer is the next status sync,
 * armed while an Ingress's address is not yet what it should be.
 */
export class IngressNginxProcess implements Process {
  readonly exited: Promise<ExitStatus>;
  readonly commandLine: string;
  private readonly finish: (status: ExitStatus) => void;
  private readonly flags: Flags;
  private readonly podName: string;
  private readonly podNamespace: string;
  private readonly startedAt: number;
  private done = false;
  private disposers: Array<() => void> = [];
  private informers?: SharedInformerFactory;
  private ingresses?: Informer<Ingress>;
  private classes?: Informer<IngressClass>;
  private services?: Informer<Service>;
  private slices?: Informer<EndpointSlice>;
  private client?: Client;
  private recorder?: EventRecorder;
  private servers?: Map<string, Server>;
  private configuration = "";
  private reloadQueued = false;
  private leader = false;
  private cancelStatusSync?: () => void;
  private readonly roundRobin = new Map<string, number>();
  /** Requests served, for nginx's connection numbers and request ids. */
  private requests = 0;

  constructor(
    private readonly env: ProcessEnvironment,
    argv: string[],
  ) {
    const { promise, resolve } = deferred<ExitStatus>();
    this.exited = promise;
    this.finish = resolve;
    this.commandLine = argv.join(" ");
    this.flags = parseFlags(argv.slice(1), env.env);
    this.podName = env.env.POD_NAME || env.hostname;
    this.podNamespace = env.env.POD_NAMESPACE || "default";
    this.startedAt = env.clock.now();
    void this.start().catch((error: unknown) => this.fatal("main.go:64", String(error)));
  }

  private log(level: "I" | "W" | "E" | "F", source: string, message: string): void {
    if (!this.done) this.env.write("stderr", klog(level, this.env.clock.now(), source, message));
  }

  private fatal(source: string, message: string): void {
    this.log("F", source, message);
    this.exit({ exitCode: 255 });
  }

  private async start(): Promise<void> {
    const { env } = this;
    const version = env.image.version;
    env.write(
      "stdout",
      `-------------------------------------------------------------------------------\nNGINX Ingress controller\n  Release:       ${version}\n  Build:         51c2b819690bbf1709b844dbf321a9acf6eda5a7\n  Repository:    https://github.com/kubernetes/ingress-nginx\n  nginx version: nginx/${ingressNginxNginxVersion}\n\n-------------------------------------------------------------------------------\n\n`,
    );
    this.log(
      "W",
      "client_config.go:667",
      "Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.",
    );
    let token: string;
    try {
      token = (await env.fs.readFile(tokenPath)).trim();
    } catch {
      this.fatal(
        "main.go:59",
        `error while initiating a connection to the Kubernetes API server. This could mean the cluster is misconfigured (e.g. it has invalid API server certificates or Service Accounts configuration). Reason: open ${tokenPath}: no such file or directory\nRefer to the troubleshooting guide for more information: https://kubernetes.github.io/ingress-nginx/troubleshooting/`,
      );
      return;
    }
    this.log("I", "main.go:205", `"Creating API client" host="https://10.96.0.1:443"`);
    const client = env.inClusterApi?.clientFor(token, "nginx-ingress-controller");
    if (!client) {
      this.fatal(
        "main.go:59",
        "error while initiating a connection to the Kubernetes API server. This could mean the cluster is misconfigured (e.g. it has invalid API server certificates or Service Accounts configuration). Reason: Unauthorized\nRefer to the troubleshooting guide for more information: https://kubernetes.github.io/ingress-nginx/troubleshooting/",
      );
      return;
    }
    this.client = client;
    const [major, minor] = kubernetesVersion.replace(/^v/, "").split(".");
    this.log(
      "I",
      "main.go:248",
      `"Running in Kubernetes cluster" major="${major}" minor="${minor}" git="${kubernetesVersion}" state="clean" commit="70d3cc986aa8221cd1dfb1121852688902d3bf53" platform="linux/amd64"`,
    );
    this.log(
      "I",
      "main.go:101",
      `"SSL fake certificate created" file="/etc/ingress-controller/ssl/default-fake-certificate.pem"`,
    );
    this.recorder = createEventRecorder(client, env.clock, { component: "nginx-ingress-controller" });
    this.log("I", "nginx.go:271", `"Starting NGINX Ingress controller"`);
    await this.announceConfigMap(client);
    this.watch(client);
    await this.informers?.waitForSync();
    if (this.done) return;
    this.log("I", "nginx.go:317", `"Starting NGINX process"`);
    this.listen();
    this.reload();
    await this.electLeader(client);
  }

  /** store.go's ConfigMap handler: a CREATE event for the --configmap it reads its settings from. */
  private async announceConfigMap(client: Client): Promise<void> {
    const key = this.flags.configmap;
    if (!key?.includes("/")) return;
    const [namespace, name] = key.split("/");
    try {
      const configMap = await client.get<ConfigMap>(ConfigMaps, namespace, name);
      this.recordEvent(configMap, "ConfigMap", "v1", "Normal", "CREATE", `ConfigMap ${key}`);
    } catch (error) {
      this.log("W", "store.go:406", `Unexpected error reading configuration configmap: ${String(error)}`);
    }
  }

  private watch(client: Client): void {
    const informers = new SharedInformerFactory(client, this.env.clock);
    this.informers = informers;
    this.ingresses = informers.informer<Ingress>(Ingresses);
    this.classes = informers.informer<IngressClass>(IngressClasses);
    this.services = informers.informer<Service>(Services);
    this.slices = informers.informer<EndpointSlice>(EndpointSlices);
    const changed = () => this.changed();
    this.disposers.push(
      this.ingresses.addHandlers({
        add: (ingress) => this.ingressAdded(ingress),
        update: (old, ingress) => this.ingressUpdated(old, ingress),
        delete: changed,
      }),
      this.classes.addHandlers({ add: changed, update: changed, delete: changed }),
      this.services.addHandlers({ add: changed, update: changed, delete: changed }),
    );
    informers.start();
    this.disposers.push(() => informers.stop());
  }

  /** ingress-nginx's GetIngressClass: the class an Ingress belongs to, or why it is not this controller's. */
  private classOf(ingress: Ingress): { name: string } | { error: string } {
    const flags = this.flags;
    const annotated = ingress.metadata.annotations?.[classAnnotation];
    if (annotated !== undefined)
      return annotated === flags.ingressClass
        ? { name: annotated }
        : { error: "ingress does not contain a valid IngressClass" };
    const className = ingress.spec?.ingressClassName;
    if (className) {
      if (flags.ingressClassByName && className === flags.ingressClass) return { name: className };
      const ingressClass = this.classes?.get(undefined, className);
      if (!ingressClass || ingressClass.spec?.controller !== flags.controllerClass)
        return { error: `no object matching key ${goQuote(className)} in local store` };
      return { name: className };
    }
    if (flags.watchWithoutClass) return { name: "" };
    return { error: "ingress does not contain a valid IngressClass" };
  }

  private ingressAdded(ingress: Ingress): void {
    const key = objectKey(ingress);
    const found = this.classOf(ingress);
    if ("error" in found) {
      this.log(
        "I",
        "store.go:414",
        `"Ignoring ingress because of error while validating ingress class" ingress=${goQuote(key)} error=${goQuote(found.error)}`,
      );
      return;
    }
    this.log(
      "I",
      "store.go:432",
      `"Found valid IngressClass" ingress=${goQuote(key)} ingressclass=${goQuote(found.name)}`,
    );
    this.recordEvent(ingress, "Ingress", "networking.k8s.io/v1", "Normal", "Sync", "Scheduled for sync");
    this.changed();
  }

  private ingressUpdated(old: Ingress, ingress: Ingress): void {
    const before = this.classOf(old);
    const now = this.classOf(ingress);
    const key = objectKey(ingress);
    if ("error" in before && !("error" in now)) {
      this.log("I", "store.go:457", `"creating ingress" ingress=${goQuote(key)} ingressclass=${goQuote(now.name)}`);
      this.recordEvent(ingress, "Ingress", "networking.k8s.io/v1", "Normal", "Sync", "Scheduled for sync");
    } else if (!("error" in before) && "error" in now) {
      this.log("I", "store.go:461", `"removing ingress because of unknown ingressclass" ingress=${goQuote(key)}`);
    } else if (!("error" in now)) {
      this.recordEvent(ingress, "Ingress", "networking.k8s.io/v1", "Normal", "Sync", "Scheduled for sync");
    } else return;
    this.changed();
  }

  /** Records an event and logs it as client-go's broadcaster logs every event (event.go). */
  private recordEvent(
    object: KubeObject,
    kind: string,
    apiVersion: string,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
  ): void {
    const meta = object.metadata;
    this.log(
      "I",
      "event.go:377",
      `Event(v1.ObjectReference{Kind:${goQuote(kind)}, Namespace:${goQuote(meta.namespace ?? "")}, Name:${goQuote(meta.name ?? "")}, UID:${goQuote(meta.uid ?? "")}, APIVersion:${goQuote(apiVersion)}, ResourceVersion:${goQuote(meta.resourceVersion ?? "")}, FieldPath:""}): type: '${type}' reason: '${reason}' ${message}`,
    );
    this.recorder?.event({ ...object, apiVersion, kind } as KubeObject, type, reason, message);
  }

  /** The Ingresses this controller serves. */
  private ownIngresses(): Ingress[] {
    return (this.ingresses?.list() ?? []).filter((ingress) => !("error" in this.classOf(ingress)));
  }

  /** Something the nginx configuration depends on changed: rebuild it once the current burst is over. */
  private changed(): void {
    this.servers = undefined;
    if (this.informers?.hasSynced()) this.reload();
    this.scheduleStatusSync();
  }

  /**
   * controller.go's syncIngress: a changed configuration is a reload (logged, and a RELOAD event on
   * the controller's pod); endpoint changes are applied without one, as the Lua balancer does.
   */
  private reload(): void {
    if (this.reloadQueued) return;
    this.reloadQueued = true;
    queueMicrotask(() => {
      this.reloadQueued = false;
      if (this.done) return;
      const configuration = JSON.stringify([...this.currentServers().values()]);
      if (configuration === this.configuration) return;
      this.configuration = configuration;
      this.log("I", "controller.go:193", `"Configuration changes detected, backend reload required"`);
      this.log("I", "controller.go:213", `"Backend successfully reloaded"`);
      void this.client
        ?.get<Pod>(Pods, this.podNamespace, this.podName)
        .then((pod) =>
          this.recordEvent(
            pod,
            "Pod",
            "v1",
            "Normal",
            "RELOAD",
            "NGINX reload triggered due to a change in configuration",
          ),
        )
        .catch(() => undefined);
    });
  }

  private currentServers(): Map<string, Server> {
    this.servers ??= buildServers(this.ownIngresses());
    return this.servers;
  }

  private listen(): void {
    const { env, flags } = this;
    const http = {
      http: (request: HttpRequest, peer: { ip: string; port: number }) =>
        this.serve(request, peer, flags.httpPort, "http"),
    };
    const https = {
      http: (request: HttpRequest, peer: { ip: string; port: number }) =>
        this.serve(request, peer, flags.httpsPort, "https"),
    };
    const ok = (body: string): HttpResponse => ({
      status: 200,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) },
      body,
      repeatable: true,
    });
    this.disposers.push(
      env.network.listen(env.ip, flags.httpPort, http),
      env.network.listen(env.ip, flags.httpsPort, https),
      env.network.listen(env.ip, flags.healthzPort, {
        http: (request) => {
          const path = request.path.split("?")[0];
          if (path === "/healthz") return ok("ok");
          if (path === "/metrics") return ok("");
          return {
            status: 404,
            headers: { "Content-Type": "text/plain; charset=utf-8" },
            body: "404 page not found\n",
          };
        },
      }),
    );
  }

  /** Answers one request as the nginx configuration says, and writes its access-log line. */
  private async serve(
    request: HttpRequest,
    peer: { ip: string; port: number },
    port: number,
    scheme: "http" | "https",
  ): Promise<HttpResponse> {
    const started = this.env.clock.now();
    const requestId = this.requestId();
    const header = (name: string) =>
      Object.entries(request.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
    const [uri, query] = splitQuery(request.path);
    const matched = route(this.currentServers(), header("host"), uri);
    const outcome = await this.answer(matched, request, uri, query, { peer, port, scheme, requestId, header });
    const finished = this.env.clock.now();
    const seconds = ((finished - started) / 1000).toFixed(3);
    const size = encoder.encode(outcome.response.body).length;
    const upstream = outcome.upstream;
    const upstreamPart = upstream.address
      ? `${upstream.address} ${upstream.length ?? size} ${seconds} ${outcome.response.status}`
      : "- - - -";
    this.env.write(
      "stdout",
      `${peer.ip} - - [${formatLogTime("clf", finished)}] "${request.method} ${request.path} HTTP/1.1" ${outcome.response.status} ${size} "${header("referer") ?? "-"}" "${header("user-agent") ?? "-"}" ${requestLength(request)} ${seconds} [${upstream.name}] [] ${upstreamPart} ${requestId}\n`,
    );
    return outcome.response;
  }

  private async answer(
    matched: Route,
    request: HttpRequest,
    uri: string,
    query: string,
    context: {
      peer: { ip: string; port: number };
      port: number;
      scheme: string;
      requestId: string;
      header: (name: string) => string | undefined;
    },
  ): Promise<{ response: HttpResponse; upstream: { name: string; address?: string; length?: number } }> {
    if (matched.kind === "default")
      return { response: this.page(404), upstream: { name: "upstream-default-backend", address: "127.0.0.1:8181" } };
    const namespace = matched.kind === "location" ? matched.location.namespace : matched.namespace;
    const backend: IngressBackend = matched.kind === "location" ? matched.location.backend : matched.backend;
    const service = backend.service;
    if (!service)
      return { response: this.page(404), upstream: { name: "upstream-default-backend", address: "127.0.0.1:8181" } };
    const portName = service.port?.number ?? service.port?.name ?? "";
    const upstreamName = `${namespace}-${service.name}-${portName}`;
    const endpoints = this.endpointsOf(namespace, service.name, service.port);
    if (endpoints.length === 0) return { response: this.page(503), upstream: { name: upstreamName } };
    const turn = this.roundRobin.get(upstreamName) ?? 0;
    this.roundRobin.set(upstreamName, turn + 1);
    const endpoint = endpoints[turn % endpoints.length];
    const address = `${endpoint.ip}:${endpoint.port}`;
    const path = (matched.kind === "location" ? rewrite(matched.location, uri) : uri) + query;
    const host = context.header("host") ?? "";
    const forwarded: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!/^(host|connection|x-forwarded-.*|x-real-ip|x-request-id|x-scheme)$/i.test(name)) forwarded[name] = value;
    }
    const headers: Record<string, string> = {
      Host: host,
      "X-Request-ID": context.requestId,
      "X-Real-IP": context.peer.ip,
      "X-Forwarded-For": context.peer.ip,
      "X-Forwarded-Host": host,
      "X-Forwarded-Port": String(context.port),
      "X-Forwarded-Proto": context.scheme,
      "X-Forwarded-Scheme": context.scheme,
      "X-Scheme": context.scheme,
      ...forwarded,
    };
    try {
      const connection = await this.env.network.connect(this.env.source, endpoint.ip, endpoint.port, {
        timeoutMs: connectTimeoutMs,
      });
      try {
        const answer = await connection.http({ method: request.method, path, headers, body: request.body });
        return { response: this.relayed(answer), upstream: { name: upstreamName, address } };
      } finally {
        connection.close();
      }
    } catch (error) {
      const timedOut = error instanceof NetworkError && error.code === "Timeout";
      const what = timedOut
        ? "upstream timed out (110: Operation timed out)"
        : "connect() failed (111: Connection refused)";
      this.env.write(
        "stderr",
        `${formatLogTime("nginx", this.env.clock.now())} [error] 31#31: *${this.requests} ${what} while connecting to upstream, client: ${context.peer.ip}, server: ${matched.server.host}, request: "${request.method} ${request.path} HTTP/1.1", upstream: "http://${address}${path}", host: "${host}"\n`,
      );
      const status = timedOut ? 504 : 502;
      return { response: this.page(status), upstream: { name: upstreamName, address, length: 0 } };
    }
  }

  /** The upstream's answer as nginx passes it on: its own Date, no Server header (server-tokens off). */
  private relayed(answer: HttpResponse): HttpResponse {
    const headers: Record<string, string> = { Date: new Date(this.env.clock.now()).toUTCString() };
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!/^(date|server|connection)$/i.test(name)) headers[name] = value;
    }
    headers.Connection = "keep-alive";
    return { status: answer.status, ...(answer.reason ? { reason: answer.reason } : {}), headers, body: answer.body };
  }

  private page(status: number): HttpResponse {
    const reason = nginxReasons[status] ?? "Error";
    const body = errorPage(status, reason);
    return {
      status,
      reason,
      headers: {
        Date: new Date(this.env.clock.now()).toUTCString(),
        "Content-Type": "text/html",
        "Content-Length": String(encoder.encode(body).length),
        Connection: "keep-alive",
      },
      body,
    };
  }

  /** The Service's ready endpoints for the Ingress's port, from its EndpointSlices (as the controller's upstreams). */
  private endpointsOf(
    namespace: string,
    name: string,
    port: { number?: number; name?: string } | undefined,
  ): Array<{ ip: string; port: number }> {
    const service = this.services?.get(namespace, name);
    const servicePort = service?.spec?.ports?.find((candidate) =>
      port?.number !== undefined ? candidate.port === port.number : candidate.name === port?.name,
    );
    if (!servicePort) return [];
    const out: Array<{ ip: string; port: number }> = [];
    for (const slice of this.slices?.listBySelector(`kubernetes.io/service-name=${name}`, namespace) ?? []) {
      const slicePort = slice.ports?.find((candidate) => (candidate.name ?? "") === (servicePort.name ?? ""));
      if (slicePort?.port === undefined) continue;
      for (const endpoint of slice.endpoints ?? []) {
        if (endpoint.conditions?.ready === false) continue;
        for (const ip of endpoint.addresses) out.push({ ip, port: slicePort.port });
      }
    }
    return out;
  }

  /** $req_id: 32 hex digits, unique per request. */
  private requestId(): string {
    this.requests++;
    return stableHex64(`${this.podName}:${this.startedAt}:${this.requests}`).slice(0, 32);
  }

  /**
   * leaderelection.go: the Lease named by --election-id in the pod's namespace. It is taken once
   * (and taken over from a holder whose pod is gone) rather than renewed every few seconds, so an
   * idle controller writes nothing.
   */
  private async electLeader(client: Client): Promise<void> {
    const { podNamespace: namespace, flags } = this;
    const lease = `${namespace}/${flags.electionId}`;
    this.log("I", "leaderelection.go:257", `attempting to acquire leader lease ${lease}...`);
    const now = toRfc3339Micro(this.env.clock.now());
    const spec = {
      holderIdentity: this.podName,
      leaseDurationSeconds: 30,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      const existing = await client.get(Leases, namespace, flags.electionId).catch(() => undefined);
      if (!existing) {
        await client.create(Leases, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: flags.electionId, namespace },
          spec,
        } as KubeObject);
      } else {
        const holder = existing.spec?.holderIdentity as string | undefined;
        const holderAlive =
          holder &&
          (await client.get(Pods, namespace, holder).then(
            () => true,
            () => false,
          ));
        if (holder !== this.podName && holderAlive) {
          this.log("I", "leaderelection.go:354", `lock is held by ${holder} and has not yet expired`);
          return;
        }
        await client.update(Leases, {
          ...existing,
          spec: { ...spec, leaseTransitions: ((existing.spec?.leaseTransitions as number) ?? 0) + 1 },
        });
      }
    } catch (error) {
      this.log(
        "E",
        "leaderelection.go:429",
        `Failed to update lock optimistically: ${String(error)}, falling back to slow path`,
      );
      return;
    }
    if (this.done) return;
    this.log("I", "leaderelection.go:271", `successfully acquired lease ${lease}`);
    this.log("I", "status.go:85", `"New leader elected" identity=${goQuote(this.podName)}`);
    this.leader = true;
    await this.syncStatus();
  }

  /**
   * status.go's periodic sync, armed only while an Ingress of this class does not show the
   * addresses it should: at the controller's next 60-second tick, as the real one finds it.
   */
  private scheduleStatusSync(): void {
    if (!this.leader || this.cancelStatusSync || this.done) return;
    const elapsed = this.env.clock.now() - this.startedAt;
    const delay = statusIntervalMs - (elapsed % statusIntervalMs);
    this.cancelStatusSync = this.env.clock.setTimer(delay, () => {
      this.cancelStatusSync = undefined;
      void this.syncStatus();
    });
  }

  /** Writes status.loadBalancer.ingress of each Ingress of this class that differs from the controller's addresses. */
  private async syncStatus(): Promise<void> {
    const client = this.client;
    if (!client || !this.leader || this.done) return;
    let addresses: string[];
    try {
      addresses = await this.runningAddresses(client);
    } catch {
      addresses = [];
    }
    let pending = addresses.length === 0 && this.ownIngresses().length > 0;
    const wanted = addresses.map((address) => (/^[\d.:]+$/.test(address) ? { ip: address } : { hostname: address }));
    for (const ingress of this.ownIngresses()) {
      if (addresses.length === 0) break;
      const current = ingress.status?.loadBalancer?.ingress ?? [];
      if (JSON.stringify(current) === JSON.stringify(wanted)) continue;
      this.log(
        "I",
        "status.go:304",
        `"updating Ingress status" namespace=${goQuote(ingress.metadata.namespace ?? "")} ingress=${goQuote(ingress.metadata.name ?? "")} currentValue=${current.length ? JSON.stringify(current) : "null"} newValue=${JSON.stringify(wanted)}`,
      );
      try {
        await client.update(
          Ingresses,
          { ...structuredClone(ingress), status: { loadBalancer: { ingress: wanted } } } as Ingress,
          { subresource: "status" },
        );
      } catch (error) {
        this.log("W", "status.go:310", `error updating ingress rule: ${String(error)}`);
        pending = true;
      }
    }
    if (pending) this.scheduleStatusSync();
  }

  /**
   * status.go's runningAddresses: the --publish-service's addresses, else the InternalIP of each
   * node running a pod of this controller (pods with its labels, hash labels aside).
   */
  private async runningAddresses(client: Client): Promise<string[]> {
    const published = this.flags.publishService;
    if (published?.includes("/")) {
      const [namespace, name] = published.split("/");
      const service = await client.get<Service>(Services, namespace, name);
      const spec = service.spec ?? {};
      if (spec.type === "ExternalName") return [spec.externalName ?? ""];
      if (spec.type === "LoadBalancer") {
        const ingress = service.status?.loadBalancer?.ingress ?? [];
        return [...ingress.map((entry) => entry.ip ?? entry.hostname ?? ""), ...(spec.externalIPs ?? [])].filter(
          Boolean,
        );
      }
      if (spec.externalIPs?.length) return [...spec.externalIPs];
      return spec.clusterIP ? [spec.clusterIP] : [];
    }
    const self = await client.get<Pod>(Pods, this.podNamespace, this.podName);
    const labels = { ...(self.metadata.labels ?? {}) };
    for (const hash of ["pod-template-hash", "controller-revision-hash", "pod-template-generation"])
      delete labels[hash];
    const selector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    const pods = await client.list<Pod>(Pods, this.podNamespace, { labelSelector: selector });
    const addresses = new Set<string>();
    for (const pod of pods.items) {
      if (pod.status?.phase !== "Running" || pod.metadata.deletionTimestamp || !pod.spec?.nodeName) continue;
      const node = await client.get<Node>(Nodes, undefined, pod.spec.nodeName);
      const internal = node.status?.addresses?.find((address) => address.type === "InternalIP")?.address;
      const external = node.status?.addresses?.find((address) => address.type === "ExternalIP")?.address;
      const address = external || internal;
      if (address) addresses.add(address);
    }
    return [...addresses].sort();
  }

  signal(signal: Signal): void {
    if (this.done) return;
    if (signal !== "SIGKILL") {
      this.log("I", "main.go:179", `"Received SIGTERM, shutting down"`);
      this.log("I", "nginx.go:394", `"Shutting down controller queues"`);
      this.log("I", "nginx.go:410", `"stopping NGINX process"`);
      this.log("I", "nginx.go:423", `"NGINX process has stopped"`);
      this.log("I", "main.go:187", `"Handled quit, delaying controller exit for 10 seconds"`);
    }
    this.exit({ exitCode: signal === "SIGKILL" ? 137 : 0 });
  }

  usage(): { memoryBytes: number; cpuMillicores: number } {
    return this.done ? { memoryBytes: 0, cpuMillicores: 0 } : { memoryBytes: 94_371_840, cpuMillicores: 2 };
  }

  private exit(status: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    this.cancelStatusSync?.();
    for (const dispose of this.disposers.splice(0)) dispose();
    this.finish(status);
  }
}

function splitQuery(path: string): [string, string] {
  const question = path.indexOf("?");
  return question < 0 ? [path || "/", ""] : [path.slice(0, question) || "/", path.slice(question)];
}

/** nginx's $request_length: the request line, headers and body as they came. */
function requestLength(request: HttpRequest): number {
  let length = `${request.method} ${request.path} HTTP/1.1\r\n`.length + 2;
  for (const [name, value] of Object.entries(request.headers)) length += `${name}: ${value}\r\n`.length;
  return length + (request.body ? encoder.encode(request.body).length : 0);
}
