import type https from "node:https";
import { parse } from "yaml";
import { KubectlError } from "./errors";
import type { KubectlIO } from "./KubectlIO";

/** Where the kubeconfig comes from: --kubeconfig, else $KUBECONFIG (first path), else ~/.kube/config. */
export function kubeconfigPath(io: KubectlIO, explicit?: string): string {
  if (explicit) return explicit;
  const fromEnv = io.env.KUBECONFIG?.split(":").find((path) => path !== "");
  if (fromEnv) return fromEnv;
  return `${io.env.HOME ?? "/root"}/.kube/config`;
}

/** Overrides from kubectl's global flags. */
export interface KubeconfigOverrides {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  tlsServerName?: string;
  username?: string;
  password?: string;
  /** --as, --as-group, --as-uid: the user, groups and UID to impersonate. */
  impersonate?: string;
  impersonateGroups?: string[];
  impersonateUid?: string;
}

/**
 * How to reach and authenticate to an API server: its URL, and a function that adds TLS
 * settings and credentials to node:https request options (and to ws options, which take the same).
 */
export interface Connection {
  server: string;
  /** Identifies server and credentials (to share clients between invocations). */
  key: string;
  apply(options: https.RequestOptions): Promise<void>;
}

interface RawCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
}

interface RawUser {
  token?: string;
  tokenFile?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  username?: string;
  password?: string;
  as?: string;
  "as-groups"?: string[];
  "as-uid"?: string;
  exec?: unknown;
  "auth-provider"?: unknown;
}

/** A loaded kubeconfig with its current context resolved. */
export interface LoadedKubeconfig {
  path: string;
  currentContext: string;
  /** The current context's namespace, or `default`. */
  namespace: string;
  connection: Connection;
}

let lastParsed: { text: string; raw: unknown } | undefined;
/**
 * The parsed kubeconfig, kept while the file's text is unchanged: a long-lived shell reads the file
 * for every command (as kubectl does) but parses YAML, which costs milliseconds, only when it changed.
 * The result is only read (never changed) by loadKubeconfig.
 */
function parsedKubeconfig(text: string): unknown {
  if (lastParsed?.text !== text) lastParsed = { text, raw: (text.trim() ? parse(text) : {}) ?? {} };
  return lastParsed.raw;
}

/**
 * Loads a kubeconfig and applies kubectl's global overrides. Tokens, client certificates,
 * basic auth and CA data are handled here (fast: no client-node import on the common path);
 * exec plugins and auth providers are delegated to @kubernetes/client-node's KubeConfig.
 * A missing file gives kubectl's default of http://localhost:8080.
 */
export async function loadKubeconfig(io: KubectlIO, overrides: KubeconfigOverrides = {}): Promise<LoadedKubeconfig> {
  const path = kubeconfigPath(io, overrides.kubeconfig);
  let text = "";
  try {
    text = await io.readFile(path);
  } catch {
    if (overrides.kubeconfig) throw new KubectlError(`error: stat ${overrides.kubeconfig}: no such file or directory`);
  }
  const raw = parsedKubeconfig(text) as {
    clusters?: { name: string; cluster: RawCluster }[];
    users?: { name: string; user: RawUser }[];
    contexts?: { name: string; context: { cluster?: string; user?: string; namespace?: string } }[];
    "current-context"?: string;
  };
  const contextName = overrides.context || raw["current-context"] || "";
  const context = raw.contexts?.find((entry) => entry.name === contextName)?.context;
  if (overrides.context && !context) throw new KubectlError(`error: context "${overrides.context}" does not exist`);
  const clusterName = overrides.cluster || context?.cluster;
  const userName = overrides.user || context?.user;
  const cluster: RawCluster = { ...(raw.clusters?.find((entry) => entry.name === clusterName)?.cluster ?? {}) };
  const user: RawUser = { ...(raw.users?.find((entry) => entry.name === userName)?.user ?? {}) };
  if (overrides.server) cluster.server = overrides.server;
  if (overrides.certificateAuthority) {
    cluster["certificate-authority"] = overrides.certificateAuthority;
    delete cluster["certificate-authority-data"];
  }
  if (overrides.tlsServerName) cluster["tls-server-name"] = overrides.tlsServerName;
  if (overrides.insecureSkipTlsVerify) {
    cluster["insecure-skip-tls-verify"] = true;
    delete cluster["certificate-authority"];
    delete cluster["certificate-authority-data"];
  }
  if (overrides.token) user.token = overrides.token;
  if (overrides.clientCertificate) {
    user["client-certificate"] = overrides.clientCertificate;
    delete user["client-certificate-data"];
  }
  if (overrides.clientKey) {
    user["client-key"] = overrides.clientKey;
    delete user["client-key-data"];
  }
  if (overrides.username) user.username = overrides.username;
  if (overrides.password) user.password = overrides.password;
  if (overrides.impersonate) user.as = overrides.impersonate;
  if (overrides.impersonateGroups?.length) user["as-groups"] = overrides.impersonateGroups;
  if (overrides.impersonateUid) user["as-uid"] = overrides.impersonateUid;
  if (!user.as && (user["as-groups"]?.length || user["as-uid"]))
    throw new KubectlError(
      `error: requesting uid, groups or user-extra for ${userName ?? ""} without impersonating a user`,
    );
  const server = (cluster.server ?? "http://localhost:8080").replace(/\/$/, "");
  const readBytes = async (data: string | undefined, file: string | undefined): Promise<Buffer | undefined> => {
    if (data) return Buffer.from(data, "base64");
    if (file) return Buffer.from(await io.readFile(file), "utf8");
    return undefined;
  };
  const ca = await readBytes(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = await readBytes(user["client-certificate-data"], user["client-certificate"]);
  const key = await readBytes(user["client-key-data"], user["client-key"]);
  let token = user.token;
  if (!token && user.tokenFile) token = (await io.readFile(user.tokenFile)).trim();
  const needsPlugin = Boolean(user.exec || user["auth-provider"]);
  // client-go's impersonating round tripper: one header per group, the UID only with a user.
  const impersonation: Record<string, string | string[]> = {};
  if (user.as) impersonation["Impersonate-User"] = user.as;
  if (user["as-groups"]?.length) impersonation["Impersonate-Group"] = user["as-groups"];
  if (user["as-uid"]) impersonation["Impersonate-Uid"] = user["as-uid"];
  const connection: Connection = {
    server,
    key: [
      server,
      userName ?? "",
      (token ?? "").slice(-16),
      user.username ?? "",
      cert ? cert.subarray(-16).toString("base64") : "",
      JSON.stringify(impersonation),
    ].join("|"),
    async apply(options) {
      if (ca) options.ca = ca;
      if (cert) options.cert = cert;
      if (key) options.key = key;
      if (cluster["insecure-skip-tls-verify"]) options.rejectUnauthorized = false;
      if (cluster["tls-server-name"]) options.servername = cluster["tls-server-name"];
      const headers = { ...(options.headers ?? {}), ...impersonation } as Record<string, string | string[]>;
      if (token) headers.Authorization = `Bearer ${token}`;
      else if (user.username)
        headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ""}`).toString("base64")}`;
      else if (needsPlugin) {
        const { KubeConfig } = await import("@kubernetes/client-node");
        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromString(text);
        if (contextName) kubeConfig.setCurrentContext(contextName);
        const pluginOptions: https.RequestOptions = { headers: {} };
        await kubeConfig.applyToHTTPSOptions(pluginOptions);
        Object.assign(headers, pluginOptions.headers ?? {});
      }
      options.headers = headers;
    },
  };
  // A node's own address for the API server (kubeadm's admin.conf) goes over the shell's connection.
  const routed = await io.clusterApi?.connect(connection, { certificate: cert, key, token });
  return {
    path,
    currentContext: contextName,
    namespace: context?.namespace || "default",
    connection: routed ?? connection,
  };
}

/**
 * A Connection from a client-node KubeConfig, for callers (grader, app) that already hold one:
 * client-node decides TLS and credentials.
 */
export function connectionFromKubeConfig(kubeConfig: {
  getCurrentCluster(): { server: string } | null;
  getCurrentUser(): { name: string } | null;
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}): Connection {
  const server = (kubeConfig.getCurrentCluster()?.server ?? "http://localhost:8080").replace(/\/$/, "");
  return {
    server,
    key: `${server}|${kubeConfig.getCurrentUser()?.name ?? ""}`,
    async apply(options) {
      await kubeConfig.applyToHTTPSOptions(options);
      if (server.startsWith("http:")) delete options.agent;
    },
  };
}
