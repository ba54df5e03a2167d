import { type Document, parseDocument, YAMLParseError } from "yaml";
import type { NodeFileSystem } from "../NodeFileSystem";
import { manifestDirectory } from "../StaticPods";
import { commandLine, parseAssignments, type ServiceDefinition } from "./unitFiles";

/** One line the kubelet logs through klog: severity, source file:line and the structured message. */
export interface KlogLine {
  severity: "I" | "W" | "E";
  source: string;
  message: string;
  /** Written as is (pflag's deprecation notices go to stderr without a klog header). */
  plain?: boolean;
}

/** What a kubelet start comes to, from the node's files and its containerd. */
export type KubeletStartup =
  | { outcome: "failed"; argv: string[]; logs: KlogLine[] }
  | {
      outcome: "running";
      argv: string[];
      logs: KlogLine[];
      /** "" when the configuration sets none. */
      staticPodPath: string;
      /** Why the API server cannot be reached with kubelet.conf (the kubelet runs, but cannot register or renew). */
      unreachable?: { server: string; dial: string };
    };

/** Where the node is, for resolving kubelet.conf's server. */
export interface NodeNetwork {
  nodeName: string;
  /** Host names the node resolves (/etc/hosts, DNS): controlplane, node01 … → their IPs. */
  hosts: Readonly<Record<string, string>>;
  /** kube-apiserver's address and port. */
  apiServerIp: string;
  apiServerPort: number;
}

const containerdSockets = ["/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock"];

/** klog's structured value quoting: a Go %q string. */
export const quoted = (text: string) => JSON.stringify(text);

const commandFailed = (err: string): KlogLine => ({
  severity: "E",
  source: "run.go:72",
  message: `"command failed" err=${quoted(err)}`,
});

/** The kubelet flags a kubeadm node may carry; the rest are pflag's "unknown flag". */
const valueFlags = new Set([
  "address",
  "bootstrap-kubeconfig",
  "cert-dir",
  "cgroup-driver",
  "cloud-provider",
  "cluster-dns",
  "cluster-domain",
  "config",
  "config-dir",
  "container-runtime-endpoint",
  "eviction-hard",
  "feature-gates",
  "healthz-port",
  "hostname-override",
  "image-service-endpoint",
  "kube-reserved",
  "kubeconfig",
  "max-pods",
  "node-ip",
  "node-labels",
  "pod-infra-container-image",
  "pod-manifest-path",
  "port",
  "provider-id",
  "register-with-taints",
  "resolv-conf",
  "root-dir",
  "runtime-request-timeout",
  "system-reserved",
  "tls-cert-file",
  "tls-private-key-file",
  "v",
  "vmodule",
]);
const boolFlags = new Set(["fail-swap-on", "register-node", "rotate-certificates", "help", "version"]);

/** pflag's deprecation notices for the flags kubeadm passes (1.32's words). */
const deprecated: Record<string, string> = {
  "container-runtime-endpoint":
    "This parameter should be set via the config file specified by the Kubelet's --config flag. See https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/ for more information.",
  "pod-infra-container-image":
    "will be removed in 1.35. Image garbage collector will get sandbox image information from CRI.",
  "pod-manifest-path":
    "This parameter should be set via the config file specified by the Kubelet's --config flag. See https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/ for more information.",
};

/** pflag's parse of the kubelet's arguments: flags, or the error NewKubeletCommand returns. */
function parseKubeletFlags(args: string[], logs: KlogLine[]): Map<string, string> | string {
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (!arg.startsWith("-") || arg === "-") return `unknown command ${arg}`;
    const body = arg.replace(/^--?/, "");
    const equals = body.indexOf("=");
    const name = equals >= 0 ? body.slice(0, equals) : body;
    if (!valueFlags.has(name) && !boolFlags.has(name))
      return `failed to parse kubelet flag: unknown flag: ${arg.startsWith("--") ? `--${name}` : `-${name}`}`;
    let value: string | undefined = equals >= 0 ? body.slice(equals + 1) : undefined;
    if (value === undefined) {
      if (boolFlags.has(name)) value = "true";
      else {
        value = args[++index];
        if (value === undefined) return `failed to parse kubelet flag: flag needs an argument: --${name}`;
      }
    }
    const notice = deprecated[name];
    if (notice)
      logs.push({ severity: "I", source: "", message: `Flag --${name} has been deprecated, ${notice}`, plain: true });
    flags.set(name, value);
  }
  return flags;
}

/** KubeletConfiguration v1beta1's fields as Go decodes them: the primitive kinds, and nested structs. */
type FieldType = "string" | "int32" | "int64" | "bool" | "[]string" | "object" | "array" | Record<string, unknown>;
const configFields: Record<string, FieldType> = {
  kind: "string",
  apiVersion: "string",
  enableServer: "bool",
  staticPodPath: "string",
  podLogsDir: "string",
  syncFrequency: "string",
  fileCheckFrequency: "string",
  httpCheckFrequency: "string",
  staticPodURL: "string",
  staticPodURLHeader: "object",
  address: "string",
  port: "int32",
  readOnlyPort: "int32",
  tlsCertFile: "string",
  tlsPrivateKeyFile: "string",
  tlsCipherSuites: "[]string",
  tlsMinVersion: "string",
  rotateCertificates: "bool",
  serverTLSBootstrap: "bool",
  authentication: {
    x509: { clientCAFile: "string" },
    webhook: { enabled: "bool", cacheTTL: "string" },
    anonymous: { enabled: "bool" },
  },
  authorization: { mode: "string", webhook: { cacheAuthorizedTTL: "string", cacheUnauthorizedTTL: "string" } },
  registryPullQPS: "int32",
  registryBurst: "int32",
  imagePullCredentialsVerificationPolicy: "string",
  eventRecordQPS: "int32",
  eventBurst: "int32",
  enableDebuggingHandlers: "bool",
  enableContentionProfiling: "bool",
  healthzPort: "int32",
  healthzBindAddress: "string",
  oomScoreAdj: "int32",
  clusterDomain: "string",
  clusterDNS: "[]string",
  streamingConnectionIdleTimeout: "string",
  nodeStatusUpdateFrequency: "string",
  nodeStatusReportFrequency: "string",
  nodeLeaseDurationSeconds: "int32",
  imageMinimumGCAge: "string",
  imageMaximumGCAge: "string",
  imageGCHighThresholdPercent: "int32",
  imageGCLowThresholdPercent: "int32",
  volumeStatsAggPeriod: "string",
  kubeletCgroups: "string",
  systemCgroups: "string",
  cgroupRoot: "string",
  cgroupsPerQOS: "bool",
  cgroupDriver: "string",
  cpuManagerPolicy: "string",
  cpuManagerPolicyOptions: "object",
  cpuManagerReconcilePeriod: "string",
  memoryManagerPolicy: "string",
  topologyManagerPolicy: "string",
  topologyManagerScope: "string",
  topologyManagerPolicyOptions: "object",
  qosReserved: "object",
  runtimeRequestTimeout: "string",
  hairpinMode: "string",
  maxPods: "int32",
  podCIDR: "string",
  podPidsLimit: "int64",
  resolvConf: "string",
  runOnce: "bool",
  cpuCFSQuota: "bool",
  cpuCFSQuotaPeriod: "string",
  nodeStatusMaxImages: "int32",
  maxOpenFiles: "int64",
  contentType: "string",
  kubeAPIQPS: "int32",
  kubeAPIBurst: "int32",
  serializeImagePulls: "bool",
  maxParallelImagePulls: "int32",
  evictionHard: "object",
  evictionSoft: "object",
  evictionSoftGracePeriod: "object",
  evictionPressureTransitionPeriod: "string",
  evictionMaxPodGracePeriod: "int32",
  evictionMinimumReclaim: "object",
  podsPerCore: "int32",
  enableControllerAttachDetach: "bool",
  protectKernelDefaults: "bool",
  makeIPTablesUtilChains: "bool",
  iptablesMasqueradeBit: "int32",
  iptablesDropBit: "int32",
  featureGates: "object",
  failSwapOn: "bool",
  memorySwap: { swapBehavior: "string" },
  containerLogMaxSize: "string",
  containerLogMaxFiles: "int32",
  containerLogMaxWorkers: "int32",
  containerLogMonitorInterval: "string",
  configMapAndSecretChangeDetectionStrategy: "string",
  systemReserved: "object",
  kubeReserved: "object",
  reservedSystemCPUs: "string",
  showHiddenMetricsForVersion: "string",
  systemReservedCgroup: "string",
  kubeReservedCgroup: "string",
  enforceNodeAllocatable: "[]string",
  allowedUnsafeSysctls: "[]string",
  volumePluginDir: "string",
  providerID: "string",
  kernelMemcgNotification: "bool",
  logging: "object",
  enableSystemLogHandler: "bool",
  enableSystemLogQuery: "bool",
  shutdownGracePeriod: "string",
  shutdownGracePeriodCriticalPods: "string",
  shutdownGracePeriodByPodPriority: "array",
  crashLoopBackOff: "object",
  reservedMemory: "array",
  enableProfilingHandler: "bool",
  enableDebugFlagsHandler: "bool",
  seccompDefault: "bool",
  memoryThrottlingFactor: "object",
  registerWithTaints: "array",
  registerNode: "bool",
  tracing: "object",
  localStorageCapacityIsolation: "bool",
  containerRuntimeEndpoint: "string",
  imageServiceEndpoint: "string",
  failCgroupV1: "bool",
};

/** encoding/json's name for a JSON value's kind in "cannot unmarshal X into …". */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "object") return "object";
  return "string";
}

/**
 * The strict decode's two kinds of failure: a value of the wrong type (fatal: json's "cannot
 * unmarshal") and unknown fields (strict only: the lenient decode goes on without them).
 */
function checkFields(
  object: Record<string, unknown>,
  fields: Record<string, unknown>,
  path: string,
  unknown: string[],
): string | undefined {
  for (const [key, value] of Object.entries(object)) {
    const type = fields[key];
    const field = path ? `${path}.${key}` : key;
    if (type === undefined) {
      unknown.push(field);
      continue;
    }
    if (value === null) continue;
    const kind = jsonKind(value);
    const mismatch = (goType: string) =>
      `json: cannot unmarshal ${kind === "number" && !Number.isInteger(value) ? `number ${value}` : kind} into Go struct field KubeletConfiguration.${field} of type ${goType}`;
    if (typeof type === "object") {
      if (kind !== "object") return mismatch(`v1beta1.Kubelet${key[0]?.toUpperCase()}${key.slice(1)}`);
      const nested = checkFields(value as Record<string, unknown>, type as Record<string, unknown>, field, unknown);
      if (nested) return nested;
    } else if (type === "string" && kind !== "string") return mismatch("string");
    else if ((type === "int32" || type === "int64") && (kind !== "number" || !Number.isInteger(value)))
      return mismatch(type);
    else if (type === "bool" && kind !== "bool") return mismatch("bool");
    else if (type === "[]string" && kind !== "array") return mismatch("[]string");
    else if (type === "object" && kind !== "object") return mismatch(`map[string]string`);
    else if (type === "array" && kind !== "array") return mismatch("[]interface {}");
  }
  return undefined;
}

/** go-yaml's words for the syntax errors a hand edit makes (the yaml library's codes differ). */
function goYamlError(error: YAMLParseError): string {
  const line = error.linePos?.[0]?.line ?? 1;
  const words: Record<string, string> = {
    TAB_AS_INDENT: "found character that cannot start any token",
    BLOCK_AS_IMPLICIT_KEY: "mapping values are not allowed in this context",
    MULTILINE_IMPLICIT_KEY: "could not find expected ':'",
    MISSING_CHAR: "could not find expected ':'",
    BAD_INDENT: "did not find expected key",
    DUPLICATE_KEY: `mapping key ${quoted(String(error.message.match(/"([^"]*)"/)?.[1] ?? ""))} already defined`,
  };
  return `yaml: line ${line}: ${words[error.code] ?? "mapping values are not allowed in this context"}`;
}

/** configfiles' Load and codec's DecodeKubeletConfiguration: the configuration, or the error wrapped as upstream wraps it. */
function loadConfigFile(
  path: string,
  content: string | undefined,
  logs: KlogLine[],
): { config: Record<string, unknown> } | { error: string } {
  const wrap = (error: string) => ({
    error: `failed to load kubelet config file, path: ${path}, error: failed to load Kubelet config file ${path}, error ${error}`,
  });
  if (content === undefined)
    return wrap(`failed to read kubelet config file ${quoted(path)}, error: open ${path}: no such file or directory`);
  if (content.trim() === "") return wrap(`kubelet config file ${quoted(path)} was empty`);
  let document: Document;
  try {
    document = parseDocument(content, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    return wrap(`failed to decode: ${error instanceof YAMLParseError ? goYamlError(error) : String(error)}`);
  }
  const syntax = document.errors[0];
  if (syntax) return wrap(`failed to decode: ${goYamlError(syntax)}`);
  const object = document.toJS() as unknown;
  if (!object || typeof object !== "object" || Array.isArray(object))
    return wrap(
      `failed to decode: couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(object)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  const config = object as Record<string, unknown>;
  if (!config.kind) return wrap(`failed to decode: Object 'Kind' is missing in '${JSON.stringify(config)}'`);
  if (config.kind !== "KubeletConfiguration" || config.apiVersion !== "kubelet.config.k8s.io/v1beta1")
    return wrap(
      `failed to decode: no kind ${quoted(String(config.kind))} is registered for version ${quoted(String(config.apiVersion ?? ""))} in scheme "pkg/kubelet/apis/config/scheme/scheme.go:36"`,
    );
  const unknown: string[] = [];
  const typeError = checkFields(config, configFields, "", unknown);
  if (typeError) return wrap(`failed to decode: ${typeError}`);
  if (unknown.length > 0) {
    const strict =
      unknown.length === 1
        ? `strict decoding error: unknown field ${quoted(unknown[0] ?? "")}`
        : `strict decoding error: ${unknown.map((field) => `unknown field ${quoted(field)}`).join(", ")}`;
    logs.push({
      severity: "I",
      source: "codec.go:98",
      message: `"Using lenient decoding as strict decoding failed" err=${quoted(strict)}`,
    });
    for (const field of unknown) {
      // The lenient decode drops what it does not know (a misspelled staticPodPath is no staticPodPath).
      if (!field.includes(".")) delete config[field];
    }
  }
  return { config };
}

/** The parts of a kubeconfig the kubelet's client needs, or why clientcmd refuses it. */
async function readKubeconfig(
  fs: NodeFileSystem,
  path: string,
): Promise<{ server: string } | { invalid: string } | undefined> {
  const content = await fs.readFile(path);
  if (content === undefined) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = (parseDocument(content).toJS() ?? {}) as Record<string, unknown>;
  } catch {
    return { invalid: "parse" };
  }
  const named = (list: unknown, name: unknown) =>
    (Array.isArray(list) ? list : []).find((entry) => entry?.name === name) as Record<string, unknown> | undefined;
  const context = named(parsed.contexts, parsed["current-context"])?.context as Record<string, unknown> | undefined;
  const cluster = named(parsed.clusters, context?.cluster)?.cluster as Record<string, unknown> | undefined;
  const user = named(parsed.users, context?.user)?.user as Record<string, unknown> | undefined;
  if (!cluster || typeof cluster.server !== "string" || cluster.server === "") return { invalid: "no server" };
  for (const [record, key] of [
    [cluster, "certificate-authority"],
    [user, "client-certificate"],
    [user, "client-key"],
  ] as const) {
    const file = record?.[key];
    if (typeof file === "string" && (await fs.readFile(file)) === undefined) return { invalid: `${key} ${file}` };
  }
  return { server: cluster.server };
}

/** Where a dial to the kubeconfig's server ends: undefined when kube-apiserver answers there. */
function dialError(server: string, network: NodeNetwork): string | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return `dial tcp: address ${server}: missing port in address`;
  }
  const port = Number(url.port || (url.protocol === "http:" ? 80 : 443));
  const host = url.hostname;
  const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : network.hosts[host];
  if (ip === undefined) return `dial tcp: lookup ${host} on 127.0.0.53:53: no such host`;
  if (ip === network.apiServerIp && port === network.apiServerPort) return undefined;
  const known = Object.values(network.hosts).includes(ip) || ip === "127.0.0.1";
  return known ? `dial tcp ${ip}:${port}: connect: connection refused` : `dial tcp ${ip}:${port}: i/o timeout`;
}

/**
 * What the kubelet does with its node's files when systemd starts it, in the order upstream's
 * NewKubeletCommand and run() meet them: the command line (10-kubeadm.conf's ExecStart with
 * kubeadm-flags.env and /etc/default/kubelet), --config's KubeletConfiguration, the client CA,
 * kubelet.conf (or the bootstrap kubeconfig), then the CRI endpoint. The common breakages fail
 * with the kubelet's own error; a kubeconfig whose server does not answer leaves it running but
 * unable to register or renew.
 */
export async function kubeletStartup(
  fs: NodeFileSystem,
  unit: ServiceDefinition,
  containerdRunning: boolean,
  network: NodeNetwork,
): Promise<KubeletStartup> {
  const logs: KlogLine[] = [];
  const environment = { ...unit.environment };
  for (const file of unit.environmentFiles) {
    const content = await fs.readFile(file.path);
    if (content !== undefined) Object.assign(environment, parseAssignments(content.replace(/^\s*#.*$/gm, "")));
  }
  const argv = commandLine(unit, environment);
  const failed = (err: string): KubeletStartup => ({ outcome: "failed", argv, logs: [...logs, commandFailed(err)] });

  const flags = parseKubeletFlags(argv.slice(1), logs);
  if (typeof flags === "string") return failed(flags);

  let config: Record<string, unknown> = {};
  const configPath = flags.get("config");
  if (configPath) {
    const loaded = loadConfigFile(configPath, await fs.readFile(configPath), logs);
    if ("error" in loaded) return failed(loaded.error);
    config = loaded.config;
  }
  if (flags.has("pod-infra-container-image"))
    logs.push({
      severity: "I",
      source: "server.go:211",
      message: `"--pod-infra-container-image will not be pruned by the image garbage collector in kubelet and should also be set in the remote runtime"`,
    });

  const clientCa = (config.authentication as Record<string, Record<string, unknown>> | undefined)?.x509?.clientCAFile;
  if (typeof clientCa === "string" && clientCa !== "" && (await fs.readFile(clientCa)) === undefined)
    return failed(
      `failed to construct kubelet dependencies: unable to load client CA file ${clientCa}: open ${clientCa}: no such file or directory`,
    );

  // bootstrap.LoadClientConfig: an unusable kubelet.conf sends the kubelet to its bootstrap kubeconfig.
  const kubeconfigPath = flags.get("kubeconfig") ?? "";
  const kubeconfig = kubeconfigPath ? await readKubeconfig(fs, kubeconfigPath) : undefined;
  let server: string | undefined;
  if (kubeconfig && "server" in kubeconfig) server = kubeconfig.server;
  else {
    const bootstrap = flags.get("bootstrap-kubeconfig");
    const bootstrapConfig = bootstrap ? await readKubeconfig(fs, bootstrap) : undefined;
    if (bootstrap && bootstrapConfig === undefined)
      return failed(
        `failed to run Kubelet: unable to load bootstrap kubeconfig: stat ${bootstrap}: no such file or directory`,
      );
    if (!bootstrap && kubeconfigPath)
      return failed(
        kubeconfig === undefined
          ? `failed to run Kubelet: invalid kubeconfig: stat ${kubeconfigPath}: no such file or directory`
          : `failed to run Kubelet: invalid kubeconfig: invalid configuration: ${kubeconfig.invalid}`,
      );
    if (bootstrapConfig && "server" in bootstrapConfig) server = bootstrapConfig.server;
  }

  const endpoint =
    flags.get("container-runtime-endpoint") ??
    (typeof config.containerRuntimeEndpoint === "string" ? config.containerRuntimeEndpoint : "");
  const socket = endpoint.replace(/^unix:\/\//, "");
  if (!containerdSockets.includes(socket) || !containerdRunning)
    return failed(
      `failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint ${quoted(endpoint)}: rpc error: code = Unavailable desc = connection error: desc = ${quoted(`transport: Error while dialing: dial unix ${socket}: connect: no such file or directory`)}`,
    );

  const staticPodPath =
    flags.get("pod-manifest-path") ??
    (typeof config.staticPodPath === "string" ? config.staticPodPath : configPath ? "" : manifestDirectory);
  const dial = server === undefined ? "no server" : dialError(server, network);
  return {
    outcome: "running",
    argv,
    logs,
    staticPodPath,
    ...(server !== undefined && dial ? { unreachable: { server, dial } } : {}),
  };
}
