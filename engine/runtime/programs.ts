import type {
  ControlPlaneProgram,
  HttpBehaviour,
  ListenDefinition,
  PauseProgram,
  ServerProgram,
  TcpBehaviour,
} from "../images";
import type { ConnectionHandler, HttpRequest, HttpResponse, TlsServer } from "../proxy/Network";
import { checkControlPlaneStart } from "./controlPlaneProgram";
import {
  deferred,
  type ExitStatus,
  type Process,
  type ProcessEnvironment,
  type Signal,
  signalExitCode,
} from "./Process";
import { expandTemplate, formatLogTime } from "./templates";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Parses `-flag=value`, `-flag value`, `--flag value` against the program's option table. */
function parseOptions(program: ServerProgram, args: string[]): Record<string, string> {
  const options: Record<string, string> = { ...(program.defaults ?? {}) };
  const table = program.options ?? {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const equals = arg.indexOf("=");
    const flag = equals >= 0 ? arg.slice(0, equals) : arg;
    const name = table[flag];
    if (!name) continue;
    options[name] = equals >= 0 ? arg.slice(equals + 1) : (args[++i] ?? "");
  }
  return options;
}

function portFrom(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const match = /(\d+)$/.exec(value);
  return match ? Number(match[1]) : fallback;
}

/** A daemon from the catalog: logs, listens on its ports, answers, stops on its signal. */
export class ServerProcess implements Process {
  readonly exited: Promise<ExitStatus>;
  readonly commandLine: string;
  private readonly finish: (status: ExitStatus) => void;
  private listeners: Array<() => void> = [];
  private done = false;
  private readonly values: Record<string, string>;
  private readonly firstArgument?: string;
  private readonly args: string[];
  /** Times of recent requests (last 10 s), for load-dependent CPU use. */
  private recentRequests: number[] = [];

  constructor(
    private readonly env: ProcessEnvironment,
    private readonly program: ServerProgram,
    argv: string[],
  ) {
    const { promise, resolve } = deferred<ExitStatus>();
    this.exited = promise;
    this.finish = resolve;
    this.commandLine = argv.join(" ");
    this.firstArgument = argv[1];
    this.args = argv.slice(1);
    const options = parseOptions(program, argv.slice(1));
    const firstPort = program.listen[0];
    const port = firstPort
      ? portFrom(firstPort.portOption ? options[firstPort.portOption] : undefined, firstPort.port)
      : 0;
    this.values = {
      ...options,
      version: env.image.version,
      ip: env.ip,
      hostname: env.hostname,
      port: String(port),
    };
    this.start();
  }

  private start(): void {
    const { env, program } = this;
    const now = env.clock.now();
    const info = program.infoFlags?.[this.firstArgument ?? ""];
    if (info) {
      for (const line of info.stdout ?? []) env.write("stdout", `${expandTemplate(line, this.values, now)}\n`);
      for (const line of info.stderr ?? []) env.write("stderr", `${expandTemplate(line, this.values, now)}\n`);
      this.exit({ exitCode: info.exitCode ?? 0 });
      return;
    }
    if (program.requiresEnv && !program.requiresEnv.anyOf.some((name) => env.env[name])) {
      for (const line of program.requiresEnv.log) env.write("stderr", `${expandTemplate(line, this.values, now)}\n`);
      this.exit({ exitCode: program.requiresEnv.exitCode });
      return;
    }
    if (program.controlPlane) {
      void this.startControlPlane(program.controlPlane);
      return;
    }
    this.serve();
  }

  /** Writes the start-up lines from `firstLine` on, then listens on the program's ports. */
  private serve(firstLine = 0): void {
    const { env, program } = this;
    const now = env.clock.now();
    for (const line of program.startupLog.slice(firstLine))
      env.write("stdout", `${expandTemplate(line, this.values, now)}\n`);
    if (env.memoryLimitBytes !== undefined && program.memoryBytes > env.memoryLimitBytes) {
      this.exit({ exitCode: 137, reason: "OOMKilled" });
      return;
    }
    if (program.controlPlane && env.controlPlane)
      this.listeners.push(env.controlPlane.started(program.controlPlane.component));
    for (const listen of program.listen) {
      const port = portFrom(listen.portOption ? this.values[listen.portOption] : undefined, listen.port);
      const handler = this.handlerFor(listen.http, listen.tcp);
      this.listeners.push(env.network.listen(env.ip, port, listen.tls ? this.secure(listen.tls, handler) : handler));
    }
    if (program.clusterStore) this.serveClusterStore(program.clusterStore.dataDirOption);
  }

  /**
   * etcd opens its data dir: the cluster's store becomes what the dir holds (a restored snapshot,
   * the store it left there, or nothing: a new member). A dir it cannot read ends it, as etcd
   * exits when its backend will not open.
   */
  private serveClusterStore(dataDirOption: string): void {
    const { env } = this;
    const dataDirs = env.etcdDataDirs;
    if (!dataDirs) return;
    const dataDir = this.values[dataDirOption] || "default.etcd";
    const path = dataDir.startsWith("/") ? dataDir : `${env.workingDir.replace(/\/$/, "")}/${dataDir}`;
    void dataDirs.serve(env.hostPathOf?.(path)).then((error) => {
      if (error === undefined || this.done) return;
      env.write("stderr", `${expandTemplate(error, this.values, env.clock.now())}\n`);
      this.exit({ exitCode: 1 });
    });
  }

  /**
   * A static pod's control-plane binary: its first log lines, then the checks its command line and
   * files must pass (controlPlaneProgram.ts). Passing, it serves and tells the cluster so; failing,
   * it writes the real binary's error lines and exits, and the kubelet restarts it with back-off.
   */
  private async startControlPlane(definition: ControlPlaneProgram): Promise<void> {
    const { env, program } = this;
    const failure = await checkControlPlaneStart(env, definition, this.args, env.ip);
    if (this.done) return;
    const firstLines = failure?.startupLines ?? definition.linesBeforeChecks;
    const now = env.clock.now();
    for (const line of program.startupLog.slice(0, firstLines))
      env.write("stdout", `${expandTemplate(line, this.values, now)}\n`);
    if (!failure) {
      this.serve(firstLines);
      return;
    }
    env.controlPlane?.failed(definition.component);
    const count = failure.lines.length;
    for (const [index, line] of failure.lines.entries()) {
      const write = () => env.write("stderr", `${line(env.clock.now())}\n`);
      const at = count === 0 ? 0 : Math.round((failure.exitAfterMs * (index + 1)) / count);
      if (at === 0) write();
      else this.listeners.push(env.clock.setTimer(at, write));
    }
    const exit = () => this.exit({ exitCode: failure.exitCode });
    if (failure.exitAfterMs === 0) exit();
    else this.listeners.push(env.clock.setTimer(failure.exitAfterMs, exit));
  }

  /**
   * An HTTPS port. Plain HTTP gets what Go's server answers it; kube-apiserver's secure port is
   * answered by the cluster's API server when the cluster gave the runtime one, except the
   * kubelet's probes (`/livez`, `/readyz`, `/healthz` without options), which keep the program's
   * fixed answers: the same words, and the prober may skip repeating them.
   */
  private secure(kind: NonNullable<ListenDefinition["tls"]>, handler: ConnectionHandler): ConnectionHandler {
    const api = kind === "kubernetesApi" ? this.env.kubernetesApi : undefined;
    const fixed = handler.http;
    return {
      tls: api?.tls ?? selfSignedCertificate,
      http: (request, peer) => {
        if (!request.tls) return plainHttpToHttpsPort();
        if (api && !isHealthCheck(request)) return api.http(request, peer);
        return fixed ? fixed(request, peer) : plainHttpToHttpsPort();
      },
    };
  }

  private handlerFor(http: HttpBehaviour | undefined, tcp: TcpBehaviour | undefined): ConnectionHandler {
    const handler: ConnectionHandler = {};
    if (http) {
      handler.http = async (request, peer) => {
        if (this.program.cpuMillicoresPerRequestPerSecond) this.recentRequests.push(this.env.clock.now());
        const response = await this.answer(http, request, peer);
        this.accessLog(request, response, peer);
        // Fixed answers that leave no trace may be skipped by a prober until a listener changes.
        const fixed = http.kind !== "static" || http.routes?.[request.path.split("?")[0] || "/"] !== undefined;
        if (fixed && !this.program.accessLog && !this.program.cpuMillicoresPerRequestPerSecond)
          response.repeatable = true;
        return response;
      };
    }
    if (tcp || !http) {
      handler.tcp = (data) => {
        const line = decoder.decode(data).trim();
        const command = line.split(/\s+/)[0]?.toUpperCase() ?? "";
        const reply = tcp?.replies?.[command] ?? tcp?.defaultReply ?? tcp?.banner ?? "";
        return encoder.encode(`${expandTemplate(reply, this.values, this.env.clock.now())}\r\n`);
      };
    }
    return handler;
  }

  private async answer(
    behaviour: HttpBehaviour,
    request: HttpRequest,
    peer: { ip: string; port: number },
  ): Promise<HttpResponse> {
    const now = this.env.clock.now();
    const date = new Date(now).toUTCString();
    const path = request.path.split("?")[0] || "/";
    switch (behaviour.kind) {
      case "static": {
        const server = expandTemplate(behaviour.server, this.values, now);
        const fixed = behaviour.routes?.[path];
        if (fixed)
          return {
            status: fixed.status,
            headers: { Server: server, Date: date, "Content-Type": fixed.contentType ?? "text/plain" },
            body: fixed.body,
          };
        const notAllowed = behaviour.methodNotAllowed;
        const method = request.method.toUpperCase();
        if (notAllowed && method !== "GET" && method !== "HEAD" && method !== "POST")
          return this.methodNotAllowed(notAllowed, server, date, now);
        const body = await this.readStatic(behaviour.root, path, behaviour.index);
        if (body !== undefined && notAllowed && method === "POST")
          return this.methodNotAllowed(notAllowed, server, date, now);
        if (body === undefined) {
          const page = expandTemplate(behaviour.notFoundPage, this.values, now);
          return {
            status: 404,
            headers: {
              Server: server,
              Date: date,
              "Content-Type": "text/html",
              "Content-Length": String(encoder.encode(page).length),
              Connection: "keep-alive",
            },
            body: page,
          };
        }
        const type =
          body.path.endsWith(".html") || body.path.endsWith(".htm")
            ? "text/html"
            : body.path.endsWith(".json")
              ? "application/json"
              : body.path.endsWith(".css")
                ? "text/css"
                : "text/plain";
        return {
          status: 200,
          headers: {
            Server: server,
            Date: date,
            "Content-Type": type,
            "Content-Length": String(encoder.encode(body.text).length),
            "Last-Modified": new Date(this.env.clock.now()).toUTCString(),
            Connection: "keep-alive",
            "Accept-Ranges": "bytes",
          },
          body: request.method === "HEAD" ? "" : body.text,
        };
      }
      case "whoami": {
        const lines = [
          `Hostname: ${this.env.hostname}`,
          "IP: 127.0.0.1",
          "IP: ::1",
          `IP: ${this.env.ip}`,
          `RemoteAddr: ${peer.ip}:${peer.port}`,
          `${request.method} ${request.path} HTTP/1.1`,
        ];
        for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
        const body = `${lines.join("\r\n")}\r\n\r\n`;
        return {
          status: 200,
          headers: { Date: date, "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) },
          body,
        };
      }
      case "text": {
        const body = `${this.values[behaviour.option] ?? ""}\n`;
        return {
          status: 200,
          headers: {
            "X-App-Name": "http-echo",
            "X-App-Version": this.env.image.version,
            Date: date,
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": String(encoder.encode(body).length),
          },
          body,
        };
      }
      case "routes": {
        const route = behaviour.routes[path] ??
          behaviour.notFound ?? { status: 404, body: "404 page not found\n", contentType: "text/plain; charset=utf-8" };
        return {
          status: route.status,
          headers: {
            Date: date,
            "Content-Type": route.contentType ?? "text/plain; charset=utf-8",
            "Content-Length": String(route.body.length),
          },
          body: route.body,
        };
      }
    }
  }

  private methodNotAllowed(
    notAllowed: { page: string; reason?: string },
    server: string,
    date: string,
    now: number,
  ): HttpResponse {
    const page = expandTemplate(notAllowed.page, this.values, now);
    return {
      status: 405,
      ...(notAllowed.reason ? { reason: notAllowed.reason } : {}),
      headers: {
        Server: server,
        Date: date,
        "Content-Type": "text/html",
        "Content-Length": String(encoder.encode(page).length),
        Connection: "keep-alive",
      },
      body: page,
    };
  }

  private async readStatic(
    root: string,
    path: string,
    index: string[],
  ): Promise<{ path: string; text: string } | undefined> {
    const decoded = decodeURIComponent(path);
    if (decoded.split("/").includes("..")) return undefined;
    const full = `${root}${decoded}`.replace(/\/+/g, "/");
    const fs = this.env.fs;
    try {
      const stat = await fs.stat(full);
      if (stat.isDirectory) {
        for (const name of index) {
          const candidate = `${full.replace(/\/$/, "")}/${name}`;
          if (await fs.exists(candidate)) return { path: candidate, text: await fs.readFile(candidate) };
        }
        return undefined;
      }
      return { path: full, text: await fs.readFile(full) };
    } catch {
      return undefined;
    }
  }

  private accessLog(request: HttpRequest, response: HttpResponse, peer: { ip: string; port: number }): void {
    const format = this.program.accessLog;
    if (!format) return;
    const time = formatLogTime("clf", this.env.clock.now());
    const size = encoder.encode(response.body).length;
    const agent = request.headers["User-Agent"] ?? request.headers["user-agent"] ?? "-";
    const line =
      format === "nginx"
        ? `${peer.ip} - - [${time}] "${request.method} ${request.path} HTTP/1.1" ${response.status} ${size} "-" "${agent}" "-"`
        : `${peer.ip} - - [${time}] "${request.method} ${request.path} HTTP/1.1" ${response.status} ${size}`;
    this.env.write("stdout", `${line}\n`);
  }

  signal(signal: Signal): void {
    if (this.done) return;
    if (signal === "SIGKILL") {
      this.exit({ exitCode: signalExitCode("SIGKILL") });
      return;
    }
    if (this.program.ignoresTerm) return;
    const now = this.env.clock.now();
    for (const line of this.program.stopLog ?? [])
      this.env.write("stdout", `${expandTemplate(line, this.values, now)}\n`);
    this.exit({ exitCode: this.program.stopExitCode ?? 0 });
  }

  usage(): { memoryBytes: number; cpuMillicores: number } {
    if (this.done) return { memoryBytes: 0, cpuMillicores: 0 };
    let cpuMillicores = this.program.cpuMillicores;
    const perRequest = this.program.cpuMillicoresPerRequestPerSecond;
    if (perRequest) {
      const since = this.env.clock.now() - 10_000;
      this.recentRequests = this.recentRequests.filter((time) => time >= since);
      cpuMillicores += (this.recentRequests.length / 10) * perRequest;
    }
    const limit = this.env.cpuLimitMillicores;
    return {
      memoryBytes: this.program.memoryBytes,
      cpuMillicores: limit !== undefined ? Math.min(cpuMillicores, limit) : cpuMillicores,
    };
  }

  private exit(status: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    for (const dispose of this.listeners) dispose();
    this.listeners = [];
    this.finish(status);
  }
}

/** A certificate a program generated for itself in memory: no CA file verifies it. */
const selfSignedCertificate: TlsServer = { names: ["localhost", "127.0.0.1"], issuers: async () => [] };

/** Go's net/http to a client that sent plain HTTP to a TLS port (its tls.RecordHeaderError path). */
function plainHttpToHttpsPort(): HttpResponse {
  return { status: 400, headers: {}, body: "Client sent an HTTP request to an HTTPS server.\n" };
}

/** A health check without options (what the kubelet's probes of kube-apiserver send). */
function isHealthCheck(request: HttpRequest): boolean {
  return (
    request.method === "GET" && (request.path === "/livez" || request.path === "/readyz" || request.path === "/healthz")
  );
}

/** registry.k8s.io/pause: does nothing until signalled. */
export class PauseProcess implements Process {
  readonly exited: Promise<ExitStatus>;
  readonly commandLine = "/pause";
  private readonly finish: (status: ExitStatus) => void;
  private done = false;

  constructor(
    private readonly env: ProcessEnvironment,
    private readonly program: PauseProgram,
  ) {
    const { promise, resolve } = deferred<ExitStatus>();
    this.exited = promise;
    this.finish = resolve;
  }

  signal(signal: Signal): void {
    if (this.done) return;
    this.done = true;
    if (signal !== "SIGKILL") for (const line of this.program.stopLog ?? []) this.env.write("stderr", `${line}\n`);
    this.finish({ exitCode: signal === "SIGKILL" ? 137 : 0 });
  }

  usage() {
    return { memoryBytes: this.done ? 0 : 241_664, cpuMillicores: 0 };
  }
}

const sizeUnits: Record<string, number> = { "": 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([BKMGT]?)$/i.exec(value.trim());
  if (!match) return Number.NaN;
  return Math.floor(Number(match[1]) * (sizeUnits[match[2].toUpperCase()] ?? 1));
}

function parseDuration(value: string): number {
  const match = /^(\d+)([smhdy]?)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const unit: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400, y: 31536000 };
  return Number(match[1]) * (unit[match[2]] ?? 1) * 1000;
}

/** polinux/stress: memory and CPU hogs, OOM-killed when they exceed the container's limit. */
export class StressProcess implements Process {
  readonly exited: Promise<ExitStatus>;
  readonly commandLine: string;
  private readonly finish: (status: ExitStatus) => void;
  private done = false;
  private memory = 0;
  private cpu = 0;
  private cancelTimer?: () => void;

  constructor(
    private readonly env: ProcessEnvironment,
    argv: string[],
  ) {
    const { promise, resolve } = deferred<ExitStatus>();
    this.exited = promise;
    this.finish = resolve;
    this.commandLine = argv.join(" ");
    this.start(argv.slice(1));
  }

  private start(args: string[]): void {
    let cpu = 0;
    let io = 0;
    let vm = 0;
    let hdd = 0;
    let vmBytes = 256 * 1024 * 1024;
    let timeoutMs: number | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      const value = () => args[++i] ?? "";
      if (arg === "-c" || arg === "--cpu") cpu = Number(value());
      else if (arg === "-i" || arg === "--io") io = Number(value());
      else if (arg === "-m" || arg === "--vm") vm = Number(value());
      else if (arg === "-d" || arg === "--hdd") hdd = Number(value());
      else if (arg === "--vm-bytes") vmBytes = parseSize(value());
      else if (arg === "-t" || arg === "--timeout") timeoutMs = parseDuration(value());
      else if (arg === "--vm-hang" || arg === "--vm-stride" || arg === "--hdd-bytes" || arg === "--backoff") value();
      else if (
        arg === "-v" ||
        arg === "--verbose" ||
        arg === "-q" ||
        arg === "--quiet" ||
        arg === "-n" ||
        arg === "--dry-run"
      )
        continue;
      else if (arg === "-?" || arg === "--help") {
        this.usageText();
        return;
      } else {
        this.env.write("stderr", `stress: FAIL: [1] (${244}) unrecognized option: ${arg}\n`);
        this.exit({ exitCode: 1 });
        return;
      }
    }
    if (cpu + io + vm + hdd === 0 || Number.isNaN(vmBytes)) {
      this.usageText();
      return;
    }
    this.env.write("stdout", `stress: info: [1] dispatching hogs: ${cpu} cpu, ${io} io, ${vm} vm, ${hdd} hdd\n`);
    this.memory = vm * vmBytes + 1_200_000;
    this.cpu = Math.min(cpu * 1000 + vm * 300, this.env.cpuLimitMillicores ?? Number.POSITIVE_INFINITY);
    const limit = this.env.memoryLimitBytes;
    if (limit !== undefined && this.memory > limit) {
      // The vm worker touches its pages within milliseconds; the cgroup's OOM killer takes the whole container.
      this.cancelTimer = this.env.clock.setTimer(50, () => this.exit({ exitCode: 137, reason: "OOMKilled" }));
      return;
    }
    if (timeoutMs !== undefined) {
      const seconds = Math.round(timeoutMs / 1000);
      this.cancelTimer = this.env.clock.setTimer(timeoutMs, () => {
        this.env.write("stdout", `stress: info: [1] successful run completed in ${seconds}s\n`);
        this.exit({ exitCode: 0 });
      });
    }
  }

  private usageText(): void {
    this.env.write(
      "stdout",
      "`stress' imposes certain types of compute stress on your system\n\nUsage: stress [OPTION [ARG]] ...\n -?, --help         show this help statement\n     --version      show version statement\n -v, --verbose      be verbose\n -q, --quiet        be quiet\n -n, --dry-run      show what would have been done\n -t, --timeout N    timeout after N seconds\n     --backoff N    wait factor of N microseconds before work starts\n -c, --cpu N        spawn N workers spinning on sqrt()\n -i, --io N         spawn N workers spinning on sync()\n -m, --vm N         spawn N workers spinning on malloc()/free()\n     --vm-bytes B   malloc B bytes per vm worker (default is 256MB)\n     --vm-stride B  touch a byte every B bytes (default is 4096)\n     --vm-hang N    sleep N secs before free (default none, 0 is inf)\n     --vm-keep      redirty memory instead of freeing and reallocating\n -d, --hdd N        spawn N workers spinning on write()/unlink()\n     --hdd-bytes B  write B bytes per hdd worker (default is 1GB)\n\nExample: stress --cpu 2 --io 1 --vm 1 --vm-bytes 128M --timeout 10s\n\nNote: Numbers may be suffixed with s,m,h,d,y (time) or B,K,M,G (size).\n",
    );
    this.exit({ exitCode: 1 });
  }

  signal(signal: Signal): void {
    this.exit({ exitCode: signalExitCode(signal === "SIGKILL" ? "SIGKILL" : signal) });
  }

  usage() {
    return this.done ? { memoryBytes: 0, cpuMillicores: 0 } : { memoryBytes: this.memory, cpuMillicores: this.cpu };
  }

  private exit(status: ExitStatus): void {
    if (this.done) return;
    this.done = true;
    this.cancelTimer?.();
    this.finish(status);
  }
}
