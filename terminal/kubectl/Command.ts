import { Discovery } from "./Discovery";
import type { FlagSpec, Flags } from "./flags";
import type { KubectlIO } from "./KubectlIO";
import { type LoadedKubeconfig, loadKubeconfig } from "./kubeconfig";
import { RestClient } from "./RestClient";

/** A kubectl command (or command group), shaped like the cobra command it mirrors. */
export interface Command {
  name: string;
  aliases?: string[];
  /** One-line description shown in command lists. */
  short: string;
  /** The `Usage:` line after `kubectl `. */
  use?: string;
  long?: string;
  examples?: string;
  flags?: FlagSpec[];
  subcommands?: Command[];
  /** Runs the command; returns the exit status. */
  run?(context: CommandContext, flags: Flags): Promise<number>;
}

/** kubectl's global flags (the ones every command accepts). */
export const globalFlags: FlagSpec[] = [
  { name: "namespace", shorthand: "n", kind: "string", usage: "If present, the namespace scope for this CLI request" },
  { name: "context", kind: "string", usage: "The name of the kubeconfig context to use" },
  { name: "kubeconfig", kind: "string", usage: "Path to the kubeconfig file to use for CLI requests." },
  { name: "cluster", kind: "string", usage: "The name of the kubeconfig cluster to use" },
  { name: "user", kind: "string", usage: "The name of the kubeconfig user to use" },
  { name: "server", shorthand: "s", kind: "string", usage: "The address and port of the Kubernetes API server" },
  { name: "token", kind: "string", usage: "Bearer token for authentication to the API server" },
  {
    name: "insecure-skip-tls-verify",
    kind: "bool",
    usage:
      "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
  },
  {
    name: "request-timeout",
    kind: "string",
    default: "0",
    usage:
      "The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests.",
  },
  {
    name: "as",
    kind: "string",
    usage:
      "Username to impersonate for the operation. User could be a regular user or a service account in a namespace.",
  },
  {
    name: "as-group",
    kind: "stringArray",
    usage: "Group to impersonate for the operation, this flag can be repeated to specify multiple groups.",
  },
  { name: "as-uid", kind: "string", usage: "UID to impersonate for the operation." },
  { name: "certificate-authority", kind: "string", usage: "Path to a cert file for the certificate authority" },
  { name: "client-certificate", kind: "string", usage: "Path to a client certificate file for TLS" },
  { name: "client-key", kind: "string", usage: "Path to a client key file for TLS" },
  {
    name: "tls-server-name",
    kind: "string",
    usage:
      "Server name to use for server certificate validation. If it is not provided, the hostname used to contact the server is used",
  },
  { name: "username", kind: "string", usage: "Username for basic authentication to the API server" },
  { name: "password", kind: "string", usage: "Password for basic authentication to the API server" },
  { name: "cache-dir", kind: "string", default: "$HOME/.kube/cache", usage: "Default cache directory" },
  { name: "match-server-version", kind: "bool", usage: "Require server version to match client version" },
  {
    name: "disable-compression",
    kind: "bool",
    usage: "If true, opt-out of response compression for all requests to the server",
  },
  {
    name: "warnings-as-errors",
    kind: "bool",
    usage: "Treat warnings received from the server as errors and exit with a non-zero exit code",
  },
  { name: "v", shorthand: "v", kind: "int", default: "0", usage: "number for the log level verbosity" },
  {
    name: "vmodule",
    kind: "string",
    usage:
      "comma-separated list of pattern=N settings for file-filtered logging (only works for the default text log format)",
  },
  {
    name: "log-flush-frequency",
    kind: "string",
    default: "5s",
    usage: "Maximum number of seconds between log flushes",
  },
  {
    name: "profile",
    kind: "string",
    default: "none",
    usage: "Name of profile to capture. One of (none|cpu|heap|goroutine|threadcreate|block|mutex)",
  },
  {
    name: "profile-output",
    kind: "string",
    default: "profile.pprof",
    usage: "Name of the file to write the profile to",
  },
];

/** The state one kubectl invocation shares between its parts. */
export class CommandContext {
  private kubeConfigPromise: Promise<LoadedKubeconfig> | undefined;
  private restClient: RestClient | undefined;
  private discoveryCache: Discovery | undefined;

  constructor(
    readonly io: KubectlIO,
    readonly globals: Flags,
    /** `kubectl get`, used in messages. */
    readonly commandPath: string,
    private readonly shared: SharedClients = {},
    /** Global flags the command defines for itself (create rolebinding's --user): not kubeconfig overrides. */
    private readonly shadowed: ReadonlySet<string> = new Set(),
    /** The command line as --record writes it into kubernetes.io/change-cause. */
    readonly commandLine: () => string = () => "kubectl",
  ) {}

  /** A global flag's value, unless the command's own flag of that name shadows it. */
  private global(name: string): string | undefined {
    return this.shadowed.has(name) ? undefined : this.globals.string(name) || undefined;
  }

  /** The kubeconfig with global overrides applied. */
  kubeConfig(): Promise<LoadedKubeconfig> {
    this.kubeConfigPromise ??= loadKubeconfig(this.io, {
      kubeconfig: this.global("kubeconfig"),
      context: this.global("context"),
      cluster: this.global("cluster"),
      user: this.global("user"),
      server: this.global("server"),
      token: this.global("token"),
      insecureSkipTlsVerify: this.globals.bool("insecure-skip-tls-verify") || undefined,
      certificateAuthority: this.global("certificate-authority"),
      clientCertificate: this.global("client-certificate"),
      clientKey: this.global("client-key"),
      tlsServerName: this.global("tls-server-name"),
      username: this.global("username"),
      password: this.global("password"),
      impersonate: this.global("as"),
      impersonateGroups: this.shadowed.has("as-group") ? undefined : this.globals.list("as-group"),
      impersonateUid: this.global("as-uid"),
    });
    return this.kubeConfigPromise;
  }

  /** The REST client for the current context. */
  async client(): Promise<RestClient> {
    if (this.restClient) return this.restClient;
    const kubeConfig = await this.kubeConfig();
    const key = kubeConfig.connection.key;
    if (this.shared.key === key && this.shared.client) {
      this.restClient = this.shared.client;
      this.discoveryCache = this.shared.discovery;
      this.restClient.onWarning = (text) => this.io.stderr(`Warning: ${text}\n`);
    } else {
      this.restClient = new RestClient(kubeConfig.connection);
      this.restClient.onWarning = (text) => this.io.stderr(`Warning: ${text}\n`);
      this.discoveryCache = new Discovery(this.restClient, this.shared.discoveryMaxAgeMs);
      this.shared.key = key;
      this.shared.client = this.restClient;
      this.shared.discovery = this.discoveryCache;
    }
    return this.restClient;
  }

  /** Discovery for the current context (cached across invocations in one shell). */
  async discovery(): Promise<Discovery> {
    await this.client();
    return this.discoveryCache as Discovery;
  }

  /** The namespace: --namespace, else the context's namespace, else `default`. */
  async namespace(): Promise<string> {
    const explicit = this.globals.string("namespace");
    if (explicit) return explicit;
    return (await this.kubeConfig()).namespace;
  }

  /** True when -n/--namespace was given. */
  get explicitNamespace(): boolean {
    return this.globals.string("namespace") !== "";
  }

  now(): Date {
    return this.io.now?.() ?? new Date();
  }
}

/** Clients kept between invocations in a long-lived shell, so discovery is not repeated per command. */
export interface SharedClients {
  key?: string;
  client?: RestClient;
  discovery?: Discovery;
  /**
   * How long discovery is kept (default: Discovery's). A long-lived shell keeps it as kubectl keeps
   * its disk cache (6 hours), refreshed on a miss and by api-resources/api-versions.
   */
  discoveryMaxAgeMs?: number;
}
