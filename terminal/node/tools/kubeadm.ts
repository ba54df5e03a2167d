import { X509Certificate } from "node:crypto";
import { parse, stringify } from "yaml";
import type { ConfigMap, Secret } from "../../../engine/api/core";
import { ConfigMaps, Secrets } from "../../../engine/api/resources";
import { isNotFound } from "../../../engine/apiserver/ApiError";
import { bootstrapTokenSecret, randomTokenPart, rfc3339 } from "../../../engine/controllers/bootstrap/tokens";
import { kubernetesVersion } from "../../../engine/images";
import {
  caCertificateHash,
  issueCertificate,
  issuerOf,
  KUBEADM_CAS,
  KUBEADM_CERTIFICATES,
  type KubeadmCaName,
} from "../../../engine/kubelet/kubeadmPki";
import { type NodeTool, parseFlags, type ToolContext, tabulate } from "./ToolContext";

/** kubeadm v1.32's build (version.Get()), the version of the cluster's images. */
const versionInfo = {
  major: "1",
  minor: "32",
  gitVersion: kubernetesVersion,
  gitCommit: "70d3cc986aa8221cd1dfb1121852688902d3bf53",
  gitTreeState: "clean",
  buildDate: "2024-12-11T18:04:20Z",
  goVersion: "go1.23.3",
  compiler: "gc",
  platform: "linux/amd64",
};

const PKI = "/etc/kubernetes/pki";
const STACK_TRACE_HINT = "To see the stack trace of this error execute with --v=5 or higher\n";

/** An error kubeadm prints as its CheckErr does: the message, then the stack-trace hint; exit 1. */
class KubeadmError extends Error {}

function fail(context: ToolContext, message: string): number {
  context.stderr(`${message}\n${STACK_TRACE_HINT}`);
  return 1;
}

/** `[phase] Reading configuration …`: FetchInitConfigurationFromCluster's lines (v1.32's words). */
function readingConfiguration(phase: string): string {
  return `[${phase}] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n[${phase}] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it.\n`;
}

/** klog's header for a line kubeadm logs (`W1202 00:30:00.123456    1234 version.go:104] `). */
function klogHeader(level: string, now: number, file: string): string {
  const date = new Date(now);
  const two = (n: number) => String(n).padStart(2, "0");
  const micros = String(date.getUTCMilliseconds() * 1000 + 123).padStart(6, "0");
  return `${level}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${micros} ${String(4242).padStart(7)} ${file}] `;
}

/** ClientSetFromFile on kubeadm's default --kubeconfig: a node without admin.conf has no client. */
async function requireAdminConf(context: ToolContext): Promise<void> {
  if ((await context.fs.readFile("/etc/kubernetes/admin.conf")) === undefined)
    throw new KubeadmError(
      "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory",
    );
}

/** What FetchInitConfigurationFromCluster printed, and its error when the kubeadm-config ConfigMap fails it. */
interface ClusterConfigurationFetch {
  lines: string;
  error?: string;
  notFound?: boolean;
}

/**
 * FetchInitConfigurationFromCluster: its two lines, then the kubeadm-config ConfigMap read through
 * the cluster's API (getInitConfigurationFromCluster's errors for a missing map, a missing
 * ClusterConfiguration key or one that does not decode).
 */
async function fetchClusterConfiguration(context: ToolContext, phase: string): Promise<ClusterConfigurationFetch> {
  const lines = readingConfiguration(phase);
  let configMap: ConfigMap;
  try {
    configMap = await context.client.get<ConfigMap>(ConfigMaps, "kube-system", "kubeadm-config");
  } catch (error) {
    return { lines, error: `failed to get config map: ${(error as Error).message}`, notFound: isNotFound(error) };
  }
  const text = configMap.data?.ClusterConfiguration;
  if (text === undefined)
    return {
      lines,
      error: "unexpected error when reading kubeadm-config ConfigMap: ClusterConfiguration key value pair missing",
    };
  try {
    const config = parse(text) as { kind?: string } | null;
    if (config?.kind !== "ClusterConfiguration") throw new Error("Object 'Kind' is missing");
  } catch (error) {
    return { lines, error: `failed to decode cluster configuration data: ${(error as Error).message}` };
  }
  return { lines };
}

/**
 * getInternalCfg's lines: the cluster's configuration is read only where admin.conf gives a client;
 * when it cannot be read, the certificates are still checked or renewed with kubeadm's defaults.
 */
async function configurationLines(context: ToolContext, phase: string): Promise<string> {
  if ((await context.fs.readFile("/etc/kubernetes/admin.conf")) === undefined) return "";
  const fetched = await fetchClusterConfiguration(context, phase);
  return fetched.error === undefined
    ? `${fetched.lines}\n`
    : `${fetched.lines}[${phase}] Error reading configuration from the Cluster. Falling back to default configuration\n\n`;
}

// ---- version ----

function version(context: ToolContext, args: string[]): number {
  const parsed = parseFlags(args, { values: ["-o", "--output"] });
  if (parsed.unknown) throw new KubeadmError(`unknown flag: ${parsed.unknown}`);
  const output = parsed.flags.get("-o") ?? parsed.flags.get("--output") ?? "";
  const v = versionInfo;
  switch (output) {
    case "":
      context.stdout(
        `kubeadm version: &version.Info{Major:"${v.major}", Minor:"${v.minor}", GitVersion:"${v.gitVersion}", GitCommit:"${v.gitCommit}", GitTreeState:"${v.gitTreeState}", BuildDate:"${v.buildDate}", GoVersion:"${v.goVersion}", Compiler:"${v.compiler}", Platform:"${v.platform}"}\n`,
      );
      return 0;
    case "short":
      context.stdout(`${v.gitVersion}\n`);
      return 0;
    case "json":
      context.stdout(`${JSON.stringify({ clientVersion: v }, null, 2)}\n`);
      return 0;
    case "yaml": {
      // sigs.k8s.io/yaml: keys sorted, strings a YAML 1.1 reader would take for numbers or times quoted.
      const quoted = (value: string) => (/^\d+$|^\d{4}-\d\d-\d\dT/.test(value) ? `"${value}"` : value);
      const lines = Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `  ${key}: ${quoted(value)}\n`);
      context.stdout(`clientVersion:\n${lines.join("")}\n`);
      return 0;
    }
    default:
      return fail(context, `invalid output format: ${output}`);
  }
}

// ---- certs ----

/** A certificate `kubeadm certs` knows: a PKI file or the client certificate a kubeconfig embeds. */
interface ManagedCertificate {
  name: string;
  longName: string;
  ca: KubeadmCaName;
  read(context: ToolContext): Promise<string | undefined>;
  /** Writes a renewed certificate and key. */
  write(context: ToolContext, certificatePem: string, privateKeyPem: string): Promise<void>;
}

function pkiCertificate(spec: (typeof KUBEADM_CERTIFICATES)[number]): ManagedCertificate {
  return {
    name: spec.name,
    longName: spec.longName,
    ca: spec.ca,
    read: (context) => context.fs.readFile(`${PKI}/${spec.baseName}.crt`),
    async write(context, certificatePem, privateKeyPem) {
      await context.fs.writeFile(`${PKI}/${spec.baseName}.crt`, certificatePem);
      await context.fs.writeFile(`${PKI}/${spec.baseName}.key`, privateKeyPem);
    },
  };
}

type Kubeconfig = {
  clusters?: Array<{ cluster?: Record<string, string> }>;
  users?: Array<{ user?: Record<string, string> }>;
};

function kubeconfigCertificate(file: string, longName: string): ManagedCertificate {
  const path = `/etc/kubernetes/${file}`;
  const load = async (context: ToolContext) => {
    const text = await context.fs.readFile(path);
    return text === undefined ? undefined : (parse(text) as Kubeconfig);
  };
  return {
    name: file,
    longName,
    ca: "ca",
    async read(context) {
      const data = (await load(context))?.users?.[0]?.user?.["client-certificate-data"];
      return data === undefined ? undefined : Buffer.from(data, "base64").toString();
    },
    async write(context, certificatePem, privateKeyPem) {
      const config = await load(context);
      const user = config?.users?.[0]?.user;
      if (!config || !user) return;
      user["client-certificate-data"] = Buffer.from(certificatePem).toString("base64");
      user["client-key-data"] = Buffer.from(privateKeyPem).toString("base64");
      await context.fs.writeFile(path, stringify(config));
    },
  };
}

/** The renewal manager's certificates, sorted by name as Manager.Certificates sorts them. */
const MANAGED: readonly ManagedCertificate[] = [
  ...KUBEADM_CERTIFICATES.map(pkiCertificate),
  kubeconfigCertificate(
    "admin.conf",
    "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself",
  ),
  kubeconfigCertificate(
    "controller-manager.conf",
    "certificate embedded in the kubeconfig file for the controller manager to use",
  ),
  kubeconfigCertificate(
    "scheduler.conf",
    "certificate embedded in the kubeconfig file for the scheduler manager to use",
  ),
  kubeconfigCertificate("super-admin.conf", "certificate embedded in the kubeconfig file for the super-admin"),
].sort((a, b) => (a.name < b.name ? -1 : 1));

/** apimachinery's duration.ShortHumanDuration. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Go's "Jan 02, 2006 15:04 MST" in UTC. */
function expiresText(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

function notAfter(pem: string): number | undefined {
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return undefined;
  }
}

/** Whether a CA is external (its certificate without its key): kubeadm's UsingExternalCA for ca and front-proxy-ca. */
async function externallyManaged(context: ToolContext, ca: KubeadmCaName): Promise<boolean> {
  if (ca === "etcd-ca") return false;
  const baseName = KUBEADM_CAS.find((entry) => entry.name === ca)?.baseName;
  return (await context.fs.readFile(`${PKI}/${baseName}.key`)) === undefined;
}

async function checkExpiration(context: ToolContext): Promise<number> {
  const now = context.now();
  const yesNo = (value: boolean) => (value ? "yes" : "no").padEnd(8);
  const rows: string[][] = [["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]];
  for (const certificate of MANAGED) {
    const pem = await certificate.read(context);
    const end = pem === undefined ? undefined : notAfter(pem);
    if (pem === undefined) {
      rows.push([`!MISSING! ${certificate.name}`, "", "", "", ""]);
      continue;
    }
    if (end === undefined)
      throw new KubeadmError(
        `failed to load existing certificate ${certificate.name}: data does not contain any valid RSA or ECDSA certificates`,
      );
    rows.push([
      certificate.name,
      expiresText(end),
      shortHumanDuration(end - now),
      certificate.ca,
      yesNo(await externallyManaged(context, certificate.ca)),
    ]);
  }
  const caRows: string[][] = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]];
  for (const ca of [...KUBEADM_CAS].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const pem = await context.fs.readFile(`${PKI}/${ca.baseName}.crt`);
    const end = pem === undefined ? undefined : notAfter(pem);
    if (end === undefined) {
      caRows.push([`!MISSING! ${ca.name}`, "", "", ""]);
      continue;
    }
    caRows.push([
      ca.name,
      expiresText(end),
      shortHumanDuration(end - now),
      yesNo(await externallyManaged(context, ca.name)),
    ]);
  }
  const configuration = await configurationLines(context, "check-expiration");
  context.stdout(`${configuration}${tabulate(rows, 10, 3)}\n${tabulate(caRows, 10, 3)}`);
  return 0;
}

/** RenewUsingLocalCA: the same subject, SANs and usages, a new key, signed by the CA on disk, valid a year from now. */
async function renewOne(context: ToolContext, certificate: ManagedCertificate): Promise<void> {
  const pem = await certificate.read(context);
  if (pem === undefined) {
    context.stdout(`MISSING! ${certificate.longName}\n`);
    return;
  }
  const ca = KUBEADM_CAS.find((entry) => entry.name === certificate.ca);
  const [caPem, caKey] = await Promise.all([
    context.fs.readFile(`${PKI}/${ca?.baseName}.crt`),
    context.fs.readFile(`${PKI}/${ca?.baseName}.key`),
  ]);
  if (caPem !== undefined && caKey === undefined) {
    context.stdout(`Detected external ${ca?.baseName}, ${certificate.longName} can't be renewed\n`);
    return;
  }
  if (caPem === undefined || caKey === undefined)
    throw new KubeadmError(
      `failure loading ${ca?.baseName} certificate authority: couldn't load the certificate file ${PKI}/${ca?.baseName}.crt: open ${PKI}/${ca?.baseName}.crt: no such file or directory`,
    );
  const current = new X509Certificate(pem);
  const subject = current.subject.split("\n");
  const commonName = subject.find((line) => line.startsWith("CN="))?.slice(3) ?? "";
  const organizations = subject.filter((line) => line.startsWith("O=")).map((line) => line.slice(2));
  const usages = (current.keyUsage ?? []).flatMap((usage) =>
    usage === "1.3.6.1.5.5.7.3.1"
      ? ["serverAuth" as const]
      : usage === "1.3.6.1.5.5.7.3.2"
        ? ["clientAuth" as const]
        : [],
  );
  const altNames = (current.subjectAltName ?? "")
    .split(", ")
    .filter(Boolean)
    .map((name) => name.replace(/^(DNS|IP Address):/, ""))
    .map((name) => (name === "0:0:0:0:0:0:0:1" ? "::1" : name));
  const renewed = issueCertificate(
    { commonName, organizations, usages, altNames },
    issuerOf({ certificatePem: caPem, privateKeyPem: caKey }),
    context.now(),
  );
  await certificate.write(context, renewed.certificatePem, renewed.privateKeyPem);
  context.stdout(`${certificate.longName} renewed\n`);
}

async function renew(context: ToolContext, args: string[]): Promise<number> {
  const names = args.filter((arg) => !arg.startsWith("-"));
  const [name] = names;
  const known = name === "all" ? MANAGED : MANAGED.filter((certificate) => certificate.name === name);
  if (!name || known.length === 0) {
    context.stdout(renewUsage);
    if (name) return fail(context, `unknown command "${name}" for "kubeadm certs renew"`);
    return 0;
  }
  context.stdout(await configurationLines(context, "renew"));
  for (const certificate of known) await renewOne(context, certificate);
  if (name === "all")
    context.stdout(
      "\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n",
    );
  return 0;
}

const renewUsage = `This command is not meant to be run on its own. See list of available subcommands.

Usage:
  kubeadm certs renew [flags]
  kubeadm certs renew [command]

Available Commands:
${[
  ...MANAGED.map((certificate) => ({ name: certificate.name, short: `Renew the ${certificate.longName}` })),
  { name: "all", short: "Renew all available certificates" },
]
  .sort((a, b) => (a.name < b.name ? -1 : 1))
  .map(({ name, short }) => `  ${name.padEnd(25)}${short}`)
  .join("\n")}

Flags:
  -h, --help   help for renew

Global Flags:
      --add-dir-header           If true, adds the file directory to the header of the log messages
      --log-file string          If non-empty, use this log file (no effect when -logtostderr=true)
      --log-file-max-size uint   Defines the maximum size a log file can grow to (no effect when -logtostderr=true). Unit is megabytes. If the value is 0, the maximum file size is unlimited. (default 1800)
      --one-output               If true, only write logs to their native severity level (vs also writing to each lower severity level; no effect when -logtostderr=true)
      --rootfs string            The path to the 'real' host root filesystem. This will cause kubeadm to chroot into the provided path.
      --skip-headers             If true, avoid header prefixes in the log messages
      --skip-log-headers         If true, avoid headers when opening log files (no effect when -logtostderr=true)
  -v, --v Level                  number for the log level verbosity

Use "kubeadm certs renew [command] --help" for more information about a command.
`;

// ---- token ----

const TOKEN_ID = /^[a-z0-9]{6}$/;
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** Go's time.ParseDuration for what --ttl takes (`24h`, `1h30m`, `90s`, `0`). */
function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (units[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** The join command GetJoinWorkerCommand prints, the template's line breaks and tabs removed (so it ends in a space). */
async function joinCommand(context: ToolContext, token: string): Promise<string> {
  const admin = await context.fs.readFile("/etc/kubernetes/admin.conf");
  if (admin === undefined)
    throw new KubeadmError(
      "failed to get join command: failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory",
    );
  const cluster = (parse(admin) as Kubeconfig).clusters?.[0]?.cluster ?? {};
  const endpoint = (cluster.server ?? "").replace(/^https?:\/\//, "");
  const caData = cluster["certificate-authority-data"];
  const caPem =
    caData === undefined ? await context.fs.readFile(`${PKI}/ca.crt`) : Buffer.from(caData, "base64").toString();
  const hash = caPem === undefined ? "" : caCertificateHash(caPem);
  return `kubeadm join ${endpoint} --token ${token} --discovery-token-ca-cert-hash ${hash} `;
}

async function tokenCreate(context: ToolContext, args: string[]): Promise<number> {
  const parsed = parseFlags(args, {
    values: ["--ttl", "--description", "--usages", "--groups", "--kubeconfig", "--config", "--certificate-key"],
    booleans: ["--print-join-command", "--dry-run"],
  });
  if (parsed.unknown) throw new KubeadmError(`unknown flag: ${parsed.unknown}`);
  const given = parsed.positional[0];
  const match = given === undefined ? undefined : TOKEN.exec(given);
  if (given !== undefined && !match)
    throw new KubeadmError(
      `the bootstrap token "${given}" was not of the form "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z"`,
    );
  const id = match?.[1] ?? randomTokenPart(6);
  const secret = match?.[2] ?? randomTokenPart(16);
  const ttlText = parsed.flags.get("--ttl") ?? "24h0m0s";
  const ttl = parseDuration(ttlText);
  if (ttl === undefined)
    throw new KubeadmError(`invalid argument "${ttlText}" for "--ttl" flag: time: invalid duration "${ttlText}"`);
  const usages = (parsed.flags.get("--usages") ?? "signing,authentication").split(",");
  const groups = (parsed.flags.get("--groups") ?? "system:bootstrappers:kubeadm:default-node-token").split(",");
  const description = parsed.flags.get("--description") ?? "";
  const name = `bootstrap-token-${id}`;
  const exists = await context.client.get<Secret>(Secrets, "kube-system", name).then(
    () => true,
    () => false,
  );
  if (exists) throw new KubeadmError(`a token with id "${id}" already exists`);
  // The bootstrapsigner (kube-controller-manager) then signs cluster-info for the new token.
  await context.client.create<Secret>(
    Secrets,
    bootstrapTokenSecret({
      id,
      secret,
      expires: ttl > 0 ? context.now() + ttl : undefined,
      description,
      usages,
      groups,
    }),
  );
  const token = `${id}.${secret}`;
  context.stdout(`${parsed.flags.has("--print-join-command") ? await joinCommand(context, token) : token}\n`);
  return 0;
}

async function tokenList(context: ToolContext): Promise<number> {
  const list = await context.client.list<Secret>(Secrets, "kube-system", {
    fieldSelector: "type=bootstrap.kubernetes.io/token",
  });
  let header = true;
  for (const secret of list.items) {
    const field = (key: string) => {
      const value = secret.data?.[key];
      return value === undefined ? undefined : Buffer.from(value, "base64").toString();
    };
    const id = field("token-id");
    const tokenSecret = field("token-secret");
    if (!id || !tokenSecret) continue;
    const expiration = field("expiration");
    const expires = expiration === undefined ? undefined : Date.parse(expiration);
    const ttl = expires === undefined ? "<forever>" : shortHumanDuration(expires - context.now());
    const usages = Object.keys(secret.data ?? {})
      .filter((key) => key.startsWith("usage-bootstrap-") && field(key) === "true")
      .map((key) => key.slice("usage-bootstrap-".length))
      .sort();
    const row = [
      `${id}.${tokenSecret}`,
      ttl.padEnd(9),
      expires === undefined ? "<never>" : rfc3339(expires),
      (usages.join(",") || "<none>").padEnd(22),
      (field("description") || "<none>").padEnd(56),
      field("auth-extra-groups") || "<none>",
    ];
    // Each token is a tabwriter of its own, the first with the header (tokenTextPrinter).
    const rows = header ? [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"], row] : [row];
    header = false;
    context.stdout(tabulate(rows, 10, 3));
  }
  return 0;
}

async function tokenDelete(context: ToolContext, args: string[]): Promise<number> {
  const tokens = args.filter((arg) => !arg.startsWith("-"));
  if (tokens.length === 0)
    throw new KubeadmError(
      `missing argument; 'token delete' is missing token of form "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z" or "\\\\A([a-z0-9]{6})\\\\z"`,
    );
  for (const token of tokens) {
    const id = TOKEN_ID.test(token) ? token : TOKEN.exec(token)?.[1];
    if (!id)
      throw new KubeadmError(
        `given token didn't match pattern "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z" or "\\\\A([a-z0-9]{6})\\\\z"`,
      );
    try {
      await context.client.delete(Secrets, "kube-system", `bootstrap-token-${id}`);
    } catch (error) {
      throw new KubeadmError(`failed to delete bootstrap token "${id}": ${(error as Error).message}`);
    }
    context.stdout(`bootstrap token "${id}" deleted\n`);
  }
  return 0;
}

// ---- upgrade plan ----

/** The two warnings KubernetesReleaseVersion logs when dl.k8s.io cannot be reached (the node has no internet). */
function offlineVersionWarnings(context: ToolContext, label: string): string {
  const now = context.now();
  const url = `https://dl.k8s.io/release/${label}.txt`;
  return (
    `${klogHeader("W", now, "version.go:104")}could not fetch a Kubernetes version from the internet: unable to get URL "${url}": Get "${url}": dial tcp: lookup dl.k8s.io on 127.0.0.53:53: server misbehaving\n` +
    `${klogHeader("W", now, "version.go:105")}falling back to the local client version: ${kubernetesVersion}\n`
  );
}

async function upgradePlan(context: ToolContext): Promise<number> {
  const clusterVersion = kubernetesVersion.replace(/^v/, "");
  const series = `${versionInfo.major}.${versionInfo.minor}`;
  const fetched = await fetchClusterConfiguration(context, "upgrade/config");
  context.stdout(`[preflight] Running pre-flight checks.\n${fetched.lines}`);
  if (fetched.error !== undefined) {
    if (!fetched.notFound) return fail(context, `[upgrade/init config] FATAL: ${fetched.error}`);
    context.stdout(
      `[upgrade/config] In order to upgrade, a ConfigMap called "kubeadm-config" in the "kube-system" namespace must exist.\n[upgrade/config] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it.\n`,
    );
    return fail(
      context,
      `[upgrade/init config] FATAL: the ConfigMap "kubeadm-config" in the "kube-system" namespace was not found`,
    );
  }
  context.stdout(
    `[upgrade] Running cluster health checks\n[upgrade] Fetching available versions to upgrade to\n[upgrade/versions] Cluster version: ${clusterVersion}\n[upgrade/versions] kubeadm version: ${kubernetesVersion}\n`,
  );
  context.stderr(offlineVersionWarnings(context, "stable"));
  context.stdout(`[upgrade/versions] Target version: ${kubernetesVersion}\n`);
  context.stderr(offlineVersionWarnings(context, `stable-${series}`));
  context.stdout(
    `[upgrade/versions] Latest version in the v${series} series: ${kubernetesVersion}\n\nAwesome, you're up-to-date! Enjoy!\n`,
  );
  return 0;
}

// ---- config print ----

const TIMEOUTS = `timeouts:
  controlPlaneComponentHealthCheck: 4m0s
  discovery: 5m0s
  etcdAPICall: 2m0s
  kubeletHealthCheck: 4m0s
  kubernetesAPICall: 1m0s
  tlsBootstrap: 5m0s
  upgradeManifests: 5m0s
`;

const NODE_REGISTRATION = `nodeRegistration:
  criSocket: unix:///var/run/containerd/containerd.sock
  imagePullPolicy: IfNotPresent
  imagePullSerial: true
  name: node
  taints: null
`;

const INIT_DEFAULTS = `apiVersion: kubeadm.k8s.io/v1beta4
bootstrapTokens:
- groups:
  - system:bootstrappers:kubeadm:default-node-token
  token: abcdef.0123456789abcdef
  ttl: 24h0m0s
  usages:
  - signing
  - authentication
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 1.2.3.4
  bindPort: 6443
${NODE_REGISTRATION}${TIMEOUTS}---
apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${kubernetesVersion.replace(/^v/, "")}
networking:
  dnsDomain: cluster.local
  serviceSubnet: 10.96.0.0/12
proxy: {}
scheduler: {}
`;

const JOIN_DEFAULTS = `apiVersion: kubeadm.k8s.io/v1beta4
caCertPath: /etc/kubernetes/pki/ca.crt
discovery:
  bootstrapToken:
    apiServerEndpoint: kube-apiserver:6443
    token: abcdef.0123456789abcdef
    unsafeSkipCAVerification: true
  tlsBootstrapToken: abcdef.0123456789abcdef
kind: JoinConfiguration
${NODE_REGISTRATION}${TIMEOUTS}`;

// ---- init, join, reset: preflight on a node that is already set up ----

/** RunChecks' fatal errors as kubeadm prints them before giving up. */
function preflightFailure(context: ToolContext, errors: string[]): number {
  if (errors.length === 0) {
    context.stderr("kubeadm: Kubelab does not simulate setting up a node\n");
    return 1;
  }
  context.stdout("[preflight] Running pre-flight checks\n");
  context.stderr(
    `error execution phase preflight: [preflight] Some fatal errors occurred:\n${errors.map((error) => `\t[ERROR ${error}\n`).join("")}[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\`\n${STACK_TRACE_HINT}`,
  );
  return 1;
}

const fileCheck = (path: string) => `FileAvailable-${path.replace(/\//g, "-")}]: ${path} already exists`;

async function existing(context: ToolContext, paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) if ((await context.fs.readFile(path)) !== undefined) found.push(path);
  return found;
}

async function init(context: ToolContext): Promise<number> {
  const now = context.now();
  context.stderr(
    `${klogHeader("W", now, "version.go:104")}could not fetch a Kubernetes version from the internet: unable to get URL "https://dl.k8s.io/release/stable-1.txt": Get "https://dl.k8s.io/release/stable-1.txt": dial tcp: lookup dl.k8s.io on 127.0.0.53:53: server misbehaving\n${klogHeader("W", now, "version.go:105")}falling back to the local client version: ${kubernetesVersion}\n`,
  );
  context.stdout(`[init] Using Kubernetes version: ${kubernetesVersion}\n`);
  const manifests = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"].map(
    (name) => `/etc/kubernetes/manifests/${name}.yaml`,
  );
  const controlPlane = context.node.role === "control-plane";
  const errors = [
    ...(controlPlane
      ? ["Port-6443]: Port 6443 is in use", "Port-10259]: Port 10259 is in use", "Port-10257]: Port 10257 is in use"]
      : []),
    ...(await existing(context, manifests)).map(fileCheck),
    "Port-10250]: Port 10250 is in use",
    ...(controlPlane
      ? [
          "Port-2379]: Port 2379 is in use",
          "Port-2380]: Port 2380 is in use",
          "DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty",
        ]
      : []),
  ];
  return preflightFailure(context, errors);
}

async function join(context: ToolContext): Promise<number> {
  const manifests = context.node.role === "control-plane";
  const errors = [
    ...(manifests ? ["DirAvailable--etc-kubernetes-manifests]: /etc/kubernetes/manifests is not empty"] : []),
    ...(await existing(context, ["/etc/kubernetes/kubelet.conf"])).map(fileCheck),
    "Port-10250]: Port 10250 is in use",
    ...(await existing(context, [`${PKI}/ca.crt`])).map(fileCheck),
  ];
  return preflightFailure(context, errors);
}

function reset(context: ToolContext, args: string[]): number {
  const now = context.now();
  if (context.node.role === "control-plane") context.stdout(readingConfiguration("reset"));
  context.stderr(
    `${klogHeader("W", now, "preflight.go:56")}[reset] WARNING: Changes made to this host by 'kubeadm init' or 'kubeadm join' will be reverted.\n`,
  );
  context.stdout("[reset] Are you sure you want to proceed? [y/N]: ");
  const answer = context.stdin.split("\n")[0]?.trim().toLowerCase();
  if (!args.includes("-f") && !args.includes("--force") && answer !== "y" && answer !== "yes")
    return fail(context, "error execution phase preflight: aborted reset operation");
  context.stderr("\nkubeadm: Kubelab does not simulate resetting a node\n");
  return 1;
}

// ---- the command ----

const usage = `

    ┌──────────────────────────────────────────────────────────┐
    │ KUBEADM                                                  │
    │ Easily bootstrap a secure Kubernetes cluster             │
    │                                                          │
    │ Please give us feedback at:                              │
    │ https://github.com/kubernetes/kubeadm/issues             │
    └──────────────────────────────────────────────────────────┘

Example usage:

    Create a two-machine cluster with one control-plane node
    (which controls the cluster), and one worker node
    (where your workloads, like Pods and Deployments run).

    ┌──────────────────────────────────────────────────────────┐
    │ On the first machine:                                    │
    ├──────────────────────────────────────────────────────────┤
    │ control-plane# kubeadm init                              │
    └──────────────────────────────────────────────────────────┘

    ┌──────────────────────────────────────────────────────────┐
    │ On the second machine:                                   │
    ├──────────────────────────────────────────────────────────┤
    │ worker# kubeadm join <arguments-returned-from-init>      │
    └──────────────────────────────────────────────────────────┘

    You can then repeat the second step on as many other machines as you like.

Usage:
  kubeadm [command]

Available Commands:
  certs       Commands related to handling Kubernetes certificates
  completion  Output shell completion code for the specified shell (bash or zsh)
  config      Manage configuration for a kubeadm cluster persisted in a ConfigMap in the cluster
  help        Help about any command
  init        Run this command in order to set up the Kubernetes control plane
  join        Run this on any machine you wish to join an existing cluster
  kubeconfig  Kubeconfig file utilities
  reset       Performs a best effort revert of changes made to this host by 'kubeadm init' or 'kubeadm join'
  token       Manage bootstrap tokens
  upgrade     Upgrade your cluster smoothly to a newer version with this command
  version     Print the version of kubeadm

Flags:
      --add-dir-header           If true, adds the file directory to the header of the log messages
  -h, --help                     help for kubeadm
      --log-file string          If non-empty, use this log file (no effect when -logtostderr=true)
      --log-file-max-size uint   Defines the maximum size a log file can grow to (no effect when -logtostderr=true). Unit is megabytes. If the value is 0, the maximum file size is unlimited. (default 1800)
      --one-output               If true, only write logs to their native severity level (vs also writing to each lower severity level; no effect when -logtostderr=true)
      --rootfs string            The path to the 'real' host root filesystem. This will cause kubeadm to chroot into the provided path.
      --skip-headers             If true, avoid header prefixes in the log messages
      --skip-log-headers         If true, avoid headers when opening log files (no effect when -logtostderr=true)
  -v, --v Level                  number for the log level verbosity

Use "kubeadm [command] --help" for more information about a command.
`;

async function dispatch(context: ToolContext, args: string[]): Promise<number> {
  const words = args.filter((arg) => !arg.startsWith("-"));
  const [command, sub] = words;
  switch (command) {
    case undefined:
    case "help":
      context.stdout(usage);
      return 0;
    case "version":
      return version(context, args.slice(1));
    case "certs":
    case "certificates":
      if (sub === "check-expiration") return checkExpiration(context);
      if (sub === "renew") return renew(context, args.slice(args.indexOf("renew") + 1));
      break;
    case "token":
      if (sub === "create" || sub === "list" || sub === "delete") await requireAdminConf(context);
      if (sub === "create") return tokenCreate(context, args.slice(args.indexOf("create") + 1));
      if (sub === "list") return tokenList(context);
      if (sub === "delete") return tokenDelete(context, args.slice(args.indexOf("delete") + 1));
      if (sub === "generate") {
        context.stdout(`${randomTokenPart(6)}.${randomTokenPart(16)}\n`);
        return 0;
      }
      break;
    case "upgrade":
      if (sub === "plan") return upgradePlan(context);
      break;
    case "config":
      if (sub === "print" && words[2] === "init-defaults") {
        context.stdout(INIT_DEFAULTS);
        return 0;
      }
      if (sub === "print" && words[2] === "join-defaults") {
        context.stdout(JOIN_DEFAULTS);
        return 0;
      }
      break;
    case "init":
      return init(context);
    case "join":
      return join(context);
    case "reset":
      return reset(context, args);
    default:
      return fail(context, `unknown command "${command}" for "kubeadm"`);
  }
  context.stderr(`kubeadm: Kubelab does not simulate 'kubeadm ${words.join(" ")}'\n`);
  return 1;
}

/**
 * kubeadm v1.32 on a node: version, certs check-expiration|renew (the node's PKI and kubeconfigs),
 * token create|list|delete|generate (bootstrap-token Secrets in kube-system), upgrade plan (offline:
 * dl.k8s.io unreachable, so the client's version is the target), config print
 * init-defaults|join-defaults, and init/join/reset refused as their preflight checks refuse a node
 * that is already set up.
 */
export const kubeadm: NodeTool = async (context) => {
  try {
    return await dispatch(context, context.args);
  } catch (error) {
    if (error instanceof KubeadmError) return fail(context, error.message);
    throw error;
  }
};
