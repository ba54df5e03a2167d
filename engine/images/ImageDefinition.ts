/**
 * An image in the catalog, described as data: the registry's view (tags, sizes, digests), the OCI
 * config (entrypoint, cmd, env …), the files a shell in the container sees, and what each of its
 * executables does when run. The runtime (engine/runtime) interprets these descriptions; nothing
 * there branches on an image's name.
 */
export interface ImageDefinition {
  /** Normalised repository: `docker.io/library/nginx`. */
  repository: string;
  /** The tags the registry has. A pull of any other tag fails with `not found`. */
  tags: Record<string, TagDefinition>;
  config: ImageConfig;
  /** Text files in the image's root file system. `{version}` is replaced by the tag's version. */
  files?: Record<string, string>;
  /** Executables by absolute path (beyond the shell utilities `userland` provides). */
  programs?: Record<string, ProgramDefinition>;
  /**
   * Which shell and utilities the image ships: `busybox` (sh and applets), `gnu` (bash, sh and
   * coreutils), or `none` (distroless: only its own programs).
   */
  userland: "busybox" | "gnu" | "none";
  /** Extra command-line tools installed on top of the userland (`curl` in nginx and curlimages/curl). */
  tools?: string[];
  /** Base operating system for `/etc/os-release` when `files` does not give one. */
  os?: "debian" | "alpine" | "ubuntu" | "busybox" | "distroless";
}

export interface TagDefinition {
  /** The application version the tag carries, used in log lines and headers. */
  version?: string;
  /** Compressed size as `Pulled` events report it. */
  sizeBytes: number;
  /**
   * The registry's real manifest digest (`sha256:…`), for images whose manifests pin one
   * (ingress-nginx's deploy.yaml); otherwise a stable digest is made up from the tag.
   */
  digest?: string;
}

/** The OCI image config fields the kubelet and runtime read. */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** `KEY=value` entries. */
  env?: string[];
  workingDir?: string;
  user?: string;
  /** `80/tcp` … */
  exposedPorts?: string[];
  /** containerd sends this signal instead of SIGTERM when stopping (nginx: SIGQUIT). */
  stopSignal?: "SIGTERM" | "SIGQUIT" | "SIGINT" | "SIGWINCH";
}

/** What an executable does when it is a container's process (or run by exec). */
export type ProgramDefinition =
  | ServerProgram
  | EntrypointProgram
  | StressProgram
  | PauseProgram
  | IngressControllerProgram;

/** A long-running daemon: logs its start, listens, serves, and exits on the stop signal. */
export interface ServerProgram {
  kind: "server";
  /** Lines written when it starts. Placeholders: `{version}`, `{time:<format>}`, `{ip}`, `{hostname}`, `{port}` and option names. */
  startupLog: string[];
  /** Ports it listens on. `port` may be overridden by an option (`portOption`). */
  listen: ListenDefinition[];
  /** Resident memory and CPU use while idle, and extra per request where it matters. */
  memoryBytes: number;
  cpuMillicores: number;
  /** CPU each request per second costs (php-apache's busy loop): usage grows with load, up to the limit. */
  cpuMillicoresPerRequestPerSecond?: number;
  /** Access log format written for each HTTP request. */
  accessLog?: "nginx" | "apache";
  /** Lines written when it receives its stop signal, and its exit code then. */
  stopLog?: string[];
  stopExitCode?: number;
  /** An app that does not exit on TERM: only KILL (after the grace period) stops it. */
  ignoresTerm?: boolean;
  /** `-text=hello` / `--port 8080` style flags: flag → option name. */
  options?: Record<string, string>;
  /** Option defaults. */
  defaults?: Record<string, string>;
  /**
   * Flags that print something and exit instead of serving (`nginx -v`, `httpd -v`,
   * `redis-server --version`), by the first argument. Placeholders as in `startupLog`.
   */
  infoFlags?: Record<string, InfoFlag>;
  /** Refuses to start unless one of these environment variables is set (postgres, mysql). */
  requiresEnv?: { anyOf: string[]; log: string[]; exitCode: number };
  /**
   * etcd: the program serves the cluster's store from the data dir its option names (relative to
   * the working directory), where the cluster gave the runtime one (`RuntimeOptions.etcdDataDirs`).
   */
  clusterStore?: { dataDirOption: string };
  /** A kubeadm static pod's program: checked at start as the real binary checks itself. */
  controlPlane?: ControlPlaneProgram;
}

/** The programs of kubeadm's static pods, which are the cluster's control plane. */
export type ControlPlaneComponent = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";

/**
 * How a control-plane binary checks its command line when it starts (engine/runtime
 * controlPlaneProgram.ts), the common breakages of a static pod manifest: an unknown flag
 * (cobra's `Error: unknown flag: --x`), a file flag naming a missing file, an unreachable etcd.
 */
export interface ControlPlaneProgram {
  component: ControlPlaneComponent;
  /** The flags the binary defines (long names without dashes); any other is an unknown flag. Absent: not checked. */
  flags?: readonly string[];
  /** How many `startupLog` lines it writes before the checks below can fail. */
  linesBeforeChecks: number;
  /**
   * File flags it opens at start, in order. `stat`/`open`: `"command failed" err="<verb> PATH: no
   * such file or directory"` (after `linesBeforeChecks`); `signer`: the controller manager's CSR
   * signer, which fails once the binary has logged all its start-up lines.
   */
  files?: Array<{ flag: string; check: "stat" | "open" | "signer" }>;
  /** It stores in etcd at `--etcd-servers`: it cannot start without a serving etcd there. */
  etcdServersFlag?: string;
}

/** What an informational flag prints (nginx writes its version to stderr) and its exit code (default 0). */
export interface InfoFlag {
  stdout?: string[];
  stderr?: string[];
  exitCode?: number;
}

export interface ListenDefinition {
  port: number;
  /** The option that overrides the port (`listen` for http-echo's `-listen=:5678`). */
  portOption?: string;
  protocol?: "TCP" | "UDP";
  http?: HttpBehaviour;
  tcp?: TcpBehaviour;
  /**
   * The port serves HTTPS. `kubernetesApi`: kube-apiserver's secure port, with the serving
   * certificate the cluster CA signed, answered by the cluster's own API server when the cluster
   * provides one (engine/runtime `RuntimeOptions.kubernetesApi`; `http` routes otherwise).
   * `selfSigned`: a certificate the program made for itself in memory (kube-controller-manager,
   * kube-scheduler), which no CA file verifies.
   */
  tls?: "kubernetesApi" | "selfSigned";
}

/** How an HTTP server answers. */
export type HttpBehaviour =
  | {
      kind: "static";
      /** Document root in the container's file system, so mounted or edited files are served. */
      root: string;
      index: string[];
      server: string;
      notFoundPage: string;
      /** Extra fixed routes (`/healthz`). */
      routes?: Record<string, FixedResponse>;
      /**
       * nginx's static module: methods other than GET, HEAD and POST get 405, and so does a POST
       * to a file that exists, with this page and reason phrase (nginx words it `Not Allowed`).
       */
      methodNotAllowed?: { page: string; reason?: string };
    }
  | { kind: "whoami" }
  | { kind: "text"; option: string; server?: string }
  | { kind: "routes"; routes: Record<string, FixedResponse>; notFound?: FixedResponse };

export interface FixedResponse {
  status: number;
  body: string;
  contentType?: string;
}

/** A line protocol: each request line gets a reply; `banner` is sent first. */
export interface TcpBehaviour {
  banner?: string;
  replies?: Record<string, string>;
  defaultReply?: string;
}

/** A docker-entrypoint.sh: logs some lines when its first argument matches, then runs its arguments. */
export interface EntrypointProgram {
  kind: "entrypoint";
  whenFirstArgument?: string[];
  log: string[];
  /** Prepended to the arguments when the first argument starts with `-` (redis-server, postgres). */
  defaultCommand?: string;
  /** Skips a leading `--` before the command it runs (dumb-init's `dumb-init -- cmd`). */
  skipsDoubleDash?: boolean;
}

/**
 * ingress-nginx's /nginx-ingress-controller: watches the cluster's Ingresses through the API (as
 * its pod's ServiceAccount) and proxies HTTP by their rules (engine/runtime/ingress).
 */
export interface IngressControllerProgram {
  kind: "ingress-nginx";
}

/** polinux/stress: allocates `--vm-bytes` per `--vm` worker, burns `--cpu` cores, exits after `--timeout`. */
export interface StressProgram {
  kind: "stress";
}

/** registry.k8s.io/pause: sleeps until signalled. */
export interface PauseProgram {
  kind: "pause";
  stopLog?: string[];
}
