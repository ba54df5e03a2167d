import type { ControlPlaneProgram } from "../images";
import type { ProcessEnvironment } from "./Process";
import { formatLogTime } from "./templates";

/**
 * How a control-plane binary fails to start: the lines it writes to stderr (spread evenly until
 * its exit, each stamped when written), then its exit `exitAfterMs` after it started.
 */
export interface StartFailure {
  /** How many of the program's start-up lines come first (default: its `linesBeforeChecks`). */
  startupLines?: number;
  lines: Array<(nowMs: number) => string>;
  exitAfterMs: number;
  exitCode: number;
}

/** klog's header with its severity letter (`E1204 10:00:00.123456       1 `). */
export function klogPrefix(severity: "I" | "W" | "E" | "F", nowMs: number): string {
  return `${severity}${formatLogTime("klog", nowMs).slice(1)}       1 `;
}

/** Go's %q of a string, as klog's `err="..."` and fmt's %q quote it. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** The flags of a command line as cobra parses them: `--name=value`, `--name value`, `--bool`. */
function longFlags(args: readonly string[]): Array<{ name: string; value?: string; index: number }> {
  const flags: Array<{ name: string; value?: string; index: number }> = [];
  for (const [index, arg] of args.entries()) {
    if (arg === "--") break;
    if (!arg.startsWith("--") || arg.length === 2) continue;
    const equals = arg.indexOf("=");
    flags.push(
      equals < 0 ? { name: arg.slice(2), index } : { name: arg.slice(2, equals), value: arg.slice(equals + 1), index },
    );
  }
  return flags;
}

/** A flag's value as pflag reads it: `--f=v`, or the next argument for `--f v`. */
function flagValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (const flag of longFlags(args)) {
    if (flag.name === name) value = flag.value ?? args[flag.index + 1];
  }
  return value;
}

/** pflag normalizes `_` to `-` in flag names (cliflag.WordSepNormalizeFunc). */
function normalized(name: string): string {
  return name.replaceAll("_", "-");
}

/**
 * The first flag of `args` the binary does not define: component-base's cli.Run prints the usage
 * text, then `Error: unknown flag: --x`, and exits 1 before logging anything else.
 */
function unknownFlag(definition: ControlPlaneProgram, args: readonly string[]): string | undefined {
  if (!definition.flags) return undefined;
  const known = new Set(definition.flags);
  return longFlags(args).find((flag) => !known.has(normalized(flag.name)))?.name;
}

/** Whether a path exists in the container's file system (hostPath mounts show the node's files). */
async function exists(env: ProcessEnvironment, path: string): Promise<boolean> {
  const absolute = path.startsWith("/") ? path : `${env.workingDir.replace(/\/$/, "")}/${path}`;
  try {
    return await env.fs.exists(absolute);
  } catch {
    return false;
  }
}

/** `"command failed" err=...` of component-base's cli.Run for an error returned by the command. */
function commandFailed(error: string): (now: number) => string {
  return (now) => `${klogPrefix("E", now)}run.go:72] "command failed" err=${goQuote(error)}`;
}

/**
 * The controller manager's CSR signer failing on --cluster-signing-cert-file/-key-file
 * (csrsigning's NewKubeletServingCSRSigningController: "error reading CA cert file %q: %v").
 */
function signerFailure(certFile: string, missing: string): Array<(now: number) => string> {
  const cause = `failed to start kubernetes.io/kubelet-serving certificate controller: error reading CA cert file ${goQuote(certFile)}: open ${missing}: no such file or directory`;
  return [
    (now) =>
      `${klogPrefix("E", now)}controllermanager.go:797] "Error starting controller" err=${goQuote(cause)} controller="certificatesigningrequest-signing-controller"`,
    (now) => `${klogPrefix("E", now)}controllermanager.go:262] "Error starting controllers" err=${goQuote(cause)}`,
  ];
}

/** The etcd client URL's `host:port` as gRPC dials it, or the dial error for a malformed one. */
function etcdDial(server: string): { address: string; error?: string } {
  const match = /^(https?):\/\/([^/]+)/.exec(server);
  if (match) return { address: match[2] };
  // gRPC's passthrough resolver hands what it cannot parse to net.Dial, which refuses it.
  if (server.includes("://"))
    return { address: server, error: `dial tcp: address ${server}: too many colons in address` };
  return { address: server };
}

/**
 * Runs a control-plane binary's start-up checks. Undefined: it starts serving. Otherwise the lines
 * it writes and how it exits, as the real binary does (klog lines on stderr).
 */
export async function checkControlPlaneStart(
  env: ProcessEnvironment,
  definition: ControlPlaneProgram,
  args: readonly string[],
  nodeIp: string,
): Promise<StartFailure | undefined> {
  const unknown = unknownFlag(definition, args);
  if (unknown !== undefined)
    return { startupLines: 0, lines: [() => `Error: unknown flag: --${unknown}`], exitAfterMs: 0, exitCode: 1 };
  for (const { flag, check } of definition.files ?? []) {
    const path = flagValue(args, flag);
    if (path === undefined || path === "") continue;
    if (check === "signer") {
      const keyFile = flagValue(args, "cluster-signing-key-file") ?? "";
      const missing = !(await exists(env, path)) ? path : keyFile && !(await exists(env, keyFile)) ? keyFile : "";
      if (missing)
        return {
          startupLines: Number.POSITIVE_INFINITY,
          lines: signerFailure(path, missing),
          exitAfterMs: 1_200,
          exitCode: 1,
        };
      continue;
    }
    if (!(await exists(env, path)))
      return { lines: [commandFailed(`${check} ${path}: no such file or directory`)], exitAfterMs: 400, exitCode: 1 };
  }
  if (definition.etcdServersFlag) {
    const servers = flagValue(args, definition.etcdServersFlag) ?? "";
    const first = servers.split(",")[0] ?? "";
    const dial = etcdDial(first);
    const [host, port] = [dial.address.replace(/:\d+$/, ""), /:(\d+)$/.exec(dial.address)?.[1]];
    const local = host === "127.0.0.1" || host === "localhost" || host === nodeIp;
    const reachable = !dial.error && local && port === "2379" && (env.controlPlane?.isServing("etcd") ?? true);
    // klog.Fatal exits 255 once the storage factory's context expires.
    if (!reachable) return { lines: etcdDialFailures(dial), exitAfterMs: 4_000, exitCode: 255 };
  }
  return undefined;
}

/**
 * kube-apiserver without etcd: gRPC's dial warnings while the storage factory waits, then the
 * fatal `Error creating leases` when its context expires.
 */
function etcdDialFailures(dial: { address: string; error?: string }): Array<(now: number) => string> {
  const reason = dial.error ?? `dial tcp ${dial.address}: connect: connection refused`;
  const warning = (channel: string) => (now: number) =>
    `${klogPrefix("W", now)}logging.go:55] [core] [Channel #${channel}]grpc: addrConn.createTransport failed to connect to {Addr: ${goQuote(dial.address)}, ServerName: ${goQuote(dial.address.replace(/^.*\/\//, ""))}, }. Err: connection error: desc = "transport: Error while dialing: ${reason}"`;
  return [
    warning("1 SubChannel #2"),
    warning("2 SubChannel #3"),
    warning("1 SubChannel #2"),
    warning("2 SubChannel #3"),
    (now) =>
      `${klogPrefix("F", now)}instance.go:226] Error creating leases: error creating storage factory: context deadline exceeded`,
  ];
}
