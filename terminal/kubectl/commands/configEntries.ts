import type { CommandContext } from "../Command";
import { KubectlError } from "../errors";
import type { Flags } from "../flags";
import type { KubeconfigAccess } from "../kubeconfigAccess";

/**
 * The stanza edits of `kubectl config set-credentials` and `set-cluster` (set_credentials.go,
 * set_cluster.go): each flag given changes one field of the named entry, files are made absolute
 * (then relative to the kubeconfig again when written) or embedded.
 */

/** kubectl's Tristate/StringFlag "Provided": the flag was on the command line. */
const provided = (flags: Flags, name: string) => flags.changed(name);

/** cmdutil.ParsePairs: `key=value` pairs and, where removal is supported, `key-`. */
export function parsePairs(args: string[], pairType: string): { set: [string, string][]; remove: string[] } {
  const set: [string, string][] = [];
  const remove: string[] = [];
  const invalid: string[] = [];
  for (const arg of args) {
    if (arg.includes("=") && !arg.startsWith("=")) {
      const at = arg.indexOf("=");
      const entry = set.find(([key]) => key === arg.slice(0, at));
      if (entry) entry[1] = arg.slice(at + 1);
      else set.push([arg.slice(0, at), arg.slice(at + 1)]);
    } else if (arg.endsWith("-") && arg !== "-") remove.push(arg.slice(0, -1));
    else invalid.push(arg);
  }
  if (invalid.length > 0) throw new KubectlError(`error: invalid ${pairType} format: ${invalid.join(", ")}`);
  return { set, remove };
}

/** os.Stat's failure, as validate() reports it. */
async function statError(context: CommandContext, flag: string, path: string): Promise<KubectlError | undefined> {
  const exists = context.io.files
    ? (await context.io.files.stat(path)) !== undefined
    : await context.io.readFile(path).then(
        () => true,
        () => false,
      );
  if (exists) return undefined;
  return new KubectlError(`error: could not stat ${flag} file ${path}: stat ${path}: no such file or directory`);
}

/** os.ReadFile of a file to embed, base64 as the kubeconfig holds []byte (nothing when unreadable, as kubectl ignores the error). */
async function embedded(context: CommandContext, path: string): Promise<string | undefined> {
  try {
    const data = context.io.files
      ? Buffer.from(await context.io.files.readBytes(path))
      : Buffer.from(await context.io.readFile(path), "utf8");
    return data.length > 0 ? data.toString("base64") : undefined;
  } catch {
    return undefined;
  }
}

function assign(body: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined || value === "" || value === false || value === null) delete body[key];
  else body[key] = value;
}

/** setCredentialsOptions.validate. */
export async function validateCredentials(context: CommandContext, flags: Flags, name: string): Promise<void> {
  if (!name) throw new KubectlError("error: you must specify a non-empty user name");
  const methods: string[] = [];
  if (flags.string("token")) methods.push("--token");
  if (flags.string("username") || flags.string("password")) methods.push("--username/--password");
  if (methods.length > 1)
    throw new KubectlError(
      `error: you cannot specify more than one authentication method at the same time: ${methods.join(", ")}`,
    );
  if (flags.bool("embed-certs")) {
    const cert = flags.string("client-certificate");
    const key = flags.string("client-key");
    if (!cert && !key)
      throw new KubectlError("error: you must specify a --client-certificate or --client-key to embed");
    if (cert) {
      const error = await statError(context, "client-certificate", cert);
      if (error) throw error;
    }
    if (key) {
      const error = await statError(context, "client-key", key);
      if (error) throw error;
    }
  }
  if (provided(flags, "exec-interactive-mode")) {
    const mode = flags.string("exec-interactive-mode");
    if (mode !== "IfAvailable" && mode !== "Always" && mode !== "Never")
      throw new KubectlError("error: invalid interactive mode type, can be only IfAvailable, Never, Always");
  }
}

/** setCredentialsOptions.modifyAuthInfo on a user stanza's body, in place. */
export async function modifyAuthInfo(
  context: CommandContext,
  access: KubeconfigAccess,
  flags: Flags,
  user: Record<string, unknown>,
  pairs: {
    provider: { set: [string, string][]; remove: string[] };
    env?: { set: [string, string][]; remove: string[] };
  },
): Promise<void> {
  const embed = flags.bool("embed-certs");
  for (const [flag, dataKey] of [
    ["client-certificate", "client-certificate-data"],
    ["client-key", "client-key-data"],
  ] as const) {
    if (!provided(flags, flag)) continue;
    const path = flags.string(flag);
    if (embed) {
      assign(user, dataKey, await embedded(context, path));
      delete user[flag];
    } else {
      user[flag] = access.absolute(path);
      delete user[dataKey];
    }
  }
  let setToken = false;
  let setBasic = false;
  if (provided(flags, "token")) {
    assign(user, "token", flags.string("token"));
    setToken = flags.string("token") !== "";
  }
  if (provided(flags, "username")) {
    assign(user, "username", flags.string("username"));
    setBasic ||= flags.string("username") !== "";
  }
  if (provided(flags, "password")) {
    assign(user, "password", flags.string("password"));
    setBasic ||= flags.string("password") !== "";
  }
  if (provided(flags, "auth-provider")) {
    const name = flags.string("auth-provider");
    const current = user["auth-provider"] as { name: string } | undefined;
    // Only a different provider replaces the existing one (and its config).
    if (!current || current.name !== name) user["auth-provider"] = { name };
  }
  const provider = user["auth-provider"] as { name: string; config?: Record<string, string> } | undefined;
  if (provider) {
    const config = { ...(provider.config ?? {}) };
    for (const key of pairs.provider.remove) delete config[key];
    for (const [key, value] of pairs.provider.set) config[key] = value;
    if (Object.keys(config).length > 0) provider.config = config;
    else delete provider.config;
  }
  modifyExec(flags, user, pairs.env);
  // Setting one authentication method clears the other.
  if (setToken || setBasic) {
    if (!setToken) delete user.token;
    if (!setBasic) {
      delete user.username;
      delete user.password;
    }
  }
}

type ExecConfig = {
  command?: string;
  args?: string[] | null;
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
  interactiveMode?: string;
  provideClusterInfo?: boolean;
};

/** The exec plugin part of modifyAuthInfo. */
function modifyExec(
  flags: Flags,
  user: Record<string, unknown>,
  env?: { set: [string, string][]; remove: string[] },
): void {
  if (provided(flags, "exec-command")) {
    const current = user.exec as ExecConfig | undefined;
    if (!current) user.exec = { command: flags.string("exec-command") };
    else {
      current.command = flags.string("exec-command");
      delete current.args;
    }
  }
  const exec = user.exec as ExecConfig | undefined;
  // The other exec flags change an existing plugin only.
  if (!exec) return;
  if (provided(flags, "exec-api-version")) assign(exec, "apiVersion", flags.string("exec-api-version"));
  const args = flags.list("exec-arg");
  if (args.length > 0) exec.args = args;
  if (provided(flags, "exec-interactive-mode")) assign(exec, "interactiveMode", flags.string("exec-interactive-mode"));
  if (provided(flags, "exec-provide-cluster-info"))
    assign(exec, "provideClusterInfo", flags.bool("exec-provide-cluster-info"));
  if (env) {
    let entries = (exec.env ?? []).filter((entry) => !env.remove.includes(entry.name));
    for (const [name, value] of env.set) {
      const existing = entries.find((entry) => entry.name === name);
      if (existing) existing.value = value;
      else entries = [...entries, { name, value }];
    }
    exec.env = entries;
  }
}

/** setClusterOptions.validate. */
export async function validateCluster(context: CommandContext, flags: Flags, name: string): Promise<void> {
  if (!name) throw new KubectlError("error: you must specify a non-empty cluster name");
  if (flags.bool("insecure-skip-tls-verify") && flags.string("certificate-authority"))
    throw new KubectlError("error: you cannot specify a certificate authority and insecure mode at the same time");
  if (flags.bool("embed-certs")) {
    const path = flags.string("certificate-authority");
    if (!path) throw new KubectlError("error: you must specify a --certificate-authority to embed");
    const error = await statError(context, "certificate-authority", path);
    if (error) throw error;
  }
}

/** setClusterOptions.modifyCluster on a cluster stanza's body, in place. */
export async function modifyCluster(
  context: CommandContext,
  access: KubeconfigAccess,
  flags: Flags,
  cluster: Record<string, unknown>,
): Promise<void> {
  if (provided(flags, "server")) assign(cluster, "server", flags.string("server"));
  if (provided(flags, "tls-server-name")) assign(cluster, "tls-server-name", flags.string("tls-server-name"));
  if (provided(flags, "insecure-skip-tls-verify")) {
    const insecure = flags.bool("insecure-skip-tls-verify");
    assign(cluster, "insecure-skip-tls-verify", insecure);
    // Insecure mode clears any certificate authority.
    if (insecure) {
      delete cluster["certificate-authority"];
      delete cluster["certificate-authority-data"];
    }
  }
  if (provided(flags, "certificate-authority")) {
    const path = flags.string("certificate-authority");
    if (flags.bool("embed-certs")) {
      assign(cluster, "certificate-authority-data", await embedded(context, path));
      delete cluster["insecure-skip-tls-verify"];
      delete cluster["certificate-authority"];
    } else {
      cluster["certificate-authority"] = access.absolute(path);
      delete cluster["insecure-skip-tls-verify"];
      delete cluster["certificate-authority-data"];
    }
  }
  if (provided(flags, "proxy-url")) assign(cluster, "proxy-url", flags.string("proxy-url"));
}
