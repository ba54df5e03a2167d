import { builtinResources } from "../builtinResources";
import type { Command, CommandContext } from "../Command";
import type { ResourceInfo } from "../Discovery";
import { ApiStatusError, formatApiError, KubectlError, plainError } from "../errors";
import type { FlagSpec, Flags } from "../flags";
import { filenameArguments, readFilenameOptions } from "../kustomize";
import { dryRunFlag, filenameFlags, type KubeObject, printFlags, recordFlag } from "./common";
import { createTokenCommand } from "./createToken";
import { createObject, type DryRun, dryRunOf, printResult, validationDirective } from "./mutation";

const createCommonFlags: FlagSpec[] = [
  ...printFlags,
  dryRunFlag,
  {
    name: "field-manager",
    kind: "string",
    default: "kubectl-create",
    usage: "Name of the manager used to track field ownership.",
  },
  {
    name: "save-config",
    kind: "bool",
    usage:
      "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.",
  },
  {
    name: "validate",
    kind: "string",
    default: "strict",
    noOptDefault: "strict",
    usage: "Must be one of: strict (or true), warn, ignore (or false).",
  },
];

/** Builds, then creates (or prints for client dry-run) one generated object. */
async function createGenerated(
  context: CommandContext,
  flags: Flags,
  object: KubeObject,
  info: ResourceInfo,
): Promise<number> {
  const dryRun = dryRunOf(context, flags);
  const namespace = await context.namespace();
  if (info.namespaced && dryRun !== "client" && context.explicitNamespace) {
    object.metadata = { ...object.metadata, namespace };
  } else if (info.namespaced && context.explicitNamespace) {
    object.metadata = { ...object.metadata, namespace };
  }
  let created: KubeObject;
  try {
    created = await createObject(
      context,
      info,
      object,
      namespace,
      dryRun,
      flags.string("field-manager") || "kubectl-create",
    );
  } catch (error) {
    const wrapping = failedToCreate(object, info);
    if (error instanceof ApiStatusError && wrapping !== undefined) {
      throw new KubectlError(`error: ${wrapping}${error.status.message ?? error.rawBody}`);
    }
    throw error;
  }
  printResult(context, flags, info, dryRun === "client" ? created : asTyped(created), "created", dryRun);
  return 0;
}

/**
 * How a generator wraps the server's error, as each create_*.go does with fmt.Errorf (its message,
 * not kubectl's rewording of the status): none for namespace, role and clusterrole, no colon for
 * secrets, the type for services and the plural for poddisruptionbudgets.
 */
function failedToCreate(object: KubeObject, info: ResourceInfo): string | undefined {
  switch (info.singular) {
    case "namespace":
    case "role":
    case "clusterrole":
      return undefined;
    case "secret":
      return "failed to create secret ";
    case "service":
      return `failed to create ${(object as { spec?: { type?: string } }).spec?.type ?? "ClusterIP"} service: `;
    case "poddisruptionbudget":
      return "failed to create poddisruptionbudgets: ";
    case "resourcequota":
      return "failed to create quota: ";
    default:
      return `failed to create ${info.singular}: `;
  }
}

/**
 * The generators decode the server's answer into Go structs before printing: a pod template's
 * ObjectMeta without a creation time prints `creationTimestamp: null`, as the object they sent.
 */
function asTyped(object: KubeObject): KubeObject {
  type Template = { metadata?: Record<string, unknown>; spec?: { template?: Template } } | undefined;
  const spec = (object as { spec?: { template?: Template; jobTemplate?: Template } }).spec;
  for (const template of [spec?.template, spec?.jobTemplate, spec?.jobTemplate?.spec?.template]) {
    if (template?.metadata && !("creationTimestamp" in template.metadata)) template.metadata.creationTimestamp = null;
  }
  return object;
}

function requireName(flags: Flags, path: string, usage: string): string {
  const name = flags.positional[0];
  if (!name)
    throw new KubectlError(`error: exactly one NAME is required, got 0\nSee '${path} -h' for help and examples`);
  if (flags.positional.length > 1 && !usage.includes("--")) {
    throw new KubectlError(
      `error: exactly one NAME is required, got ${flags.positional.length}\nSee '${path} -h' for help and examples`,
    );
  }
  return name;
}

/**
 * The `run` of a `kubectl create <type> NAME` generator: the name from the arguments, the object
 * `build` makes from it and the flags, created (or printed for --dry-run) as `resource`.
 */
function generate(
  path: string,
  resource: string,
  build: (name: string, context: CommandContext, flags: Flags) => KubeObject | Promise<KubeObject>,
): NonNullable<Command["run"]> {
  return async (context, flags) => {
    const name = requireName(flags, `kubectl create ${path}`, "");
    return createGenerated(context, flags, await build(name, context, flags), await info(context, resource));
  };
}

async function info(_context: CommandContext, typed: string): Promise<ResourceInfo> {
  const known = builtinResources[typed];
  if (!known) throw new Error(`unknown built-in resource ${typed}`);
  return known;
}

const meta = (name: string, labels?: Record<string, string>) => ({
  name,
  creationTimestamp: null as unknown as string,
  ...(labels ? { labels } : {}),
});

const namespaceCommand: Command = {
  name: "namespace",
  aliases: ["ns"],
  short: "Create a namespace with the specified name",
  use: "namespace NAME [--dry-run=server|client|none]",
  flags: createCommonFlags,
  run: generate("namespace", "namespaces", (name) => ({
    kind: "Namespace",
    apiVersion: "v1",
    metadata: meta(name),
    spec: {},
    status: {},
  })),
};

const deploymentCommand: Command = {
  name: "deployment",
  aliases: ["deploy"],
  short: "Create a deployment with the specified name",
  use: "deployment NAME --image=image -- [COMMAND] [args...]",
  flags: [
    ...createCommonFlags,
    {
      name: "image",
      kind: "stringSlice",
      usage: "Image names to run. A deployment can have multiple images set for multi-container pod.",
    },
    { name: "port", kind: "int", default: -1, usage: "The containerPort that this deployment exposes." },
    { name: "replicas", shorthand: "r", kind: "int", default: 1, usage: "Number of replicas to create. Default is 1." },
  ],
};

function fixTemplateMeta(object: KubeObject): KubeObject {
  const template = object.spec?.template as { metadata?: Record<string, unknown> } | undefined;
  if (template?.metadata) delete template.metadata.name;
  return object;
}

deploymentCommand.run = async (context: CommandContext, flags: Flags): Promise<number> => {
  // cobra checks required flags before the command runs.
  const images = flags.list("image");
  if (images.length === 0) throw new KubectlError('error: required flag(s) "image" not set');
  const name = flags.positional[0];
  if (!name)
    throw new KubectlError(
      "error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples",
    );
  const command = flags.positional.slice(1);
  const labels = { app: name };
  const containers = images.map((image) => {
    const base = image.split("/").pop() as string;
    const containerName = (base.split(/[:@]/)[0] ?? base).replace(/[^a-z0-9-]/g, "-");
    return {
      name: containerName,
      image,
      ...(command.length > 0 ? { command } : {}),
      ...(flags.int("port") >= 0 ? { ports: [{ containerPort: flags.int("port") }] } : {}),
      resources: {},
    };
  });
  const object: KubeObject = fixTemplateMeta({
    kind: "Deployment",
    apiVersion: "apps/v1",
    metadata: meta(name, labels),
    spec: {
      replicas: flags.int("replicas"),
      selector: { matchLabels: labels },
      template: { metadata: { creationTimestamp: null, labels }, spec: { containers } },
      strategy: {},
    },
    status: {},
  });
  return createGenerated(context, flags, object, await info(context, "deployments.apps"));
};

async function literalData(context: CommandContext, flags: Flags): Promise<Record<string, string>> {
  const data: Record<string, string> = {};
  for (const literal of flags.list("from-literal")) {
    const equals = literal.indexOf("=");
    if (equals <= 0) throw new KubectlError(`error: invalid literal source ${literal}, expected key=value`);
    data[literal.slice(0, equals)] = literal.slice(equals + 1);
  }
  for (const source of flags.list("from-file")) {
    const equals = source.indexOf("=");
    const key = equals > 0 ? source.slice(0, equals) : (source.split("/").pop() as string);
    const path = equals > 0 ? source.slice(equals + 1) : source;
    const entries = await context.io.readDirectory(path);
    if (entries) {
      for (const entry of entries) {
        const nested = `${path.replace(/\/$/, "")}/${entry}`;
        if (!(await context.io.readDirectory(nested))) data[entry] = await context.io.readFile(nested);
      }
      continue;
    }
    try {
      data[key] = await context.io.readFile(path);
    } catch {
      throw new KubectlError(`error: error reading ${path}: no such file or directory`);
    }
  }
  for (const file of flags.list("from-env-file")) {
    const text = await context.io.readFile(file);
    for (const line of text.split("\n")) {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      const equals = trimmed.indexOf("=");
      if (equals < 0) data[trimmed] = context.io.env[trimmed] ?? "";
      else data[trimmed.slice(0, equals)] = trimmed.slice(equals + 1);
    }
  }
  return data;
}

const dataFlags: FlagSpec[] = [
  {
    name: "from-literal",
    kind: "stringArray",
    usage: "Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)",
  },
  {
    name: "from-file",
    kind: "stringSlice",
    usage:
      "Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.",
  },
  {
    name: "from-env-file",
    kind: "stringSlice",
    usage: "Specify the path to a file to read lines of key=val pairs to create a configmap.",
  },
  { name: "append-hash", kind: "bool", usage: "Append a hash of the configmap to its name." },
];

const configmapCommand: Command = {
  name: "configmap",
  aliases: ["cm"],
  short: "Create a config map from a local file, directory or literal value",
  use: "configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]",
  flags: [...createCommonFlags, ...dataFlags],
  run: generate("configmap", "configmaps", async (name, context, flags) => {
    const data = await literalData(context, flags);
    const object: KubeObject = { kind: "ConfigMap", apiVersion: "v1", metadata: meta(name) };
    if (Object.keys(data).length > 0) object.data = data;
    return object;
  }),
};

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const secretGeneric: Command = {
  name: "generic",
  short: "Create a secret from a local file, directory, or literal value",
  use: "generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]",
  flags: [...createCommonFlags, ...dataFlags, { name: "type", kind: "string", usage: "The type of secret to create" }],
  run: generate("secret generic", "secrets", async (name, context, flags) => {
    const data = await literalData(context, flags);
    const object: KubeObject = { kind: "Secret", apiVersion: "v1", metadata: meta(name) };
    if (Object.keys(data).length > 0)
      object.data = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, base64(value)]));
    if (flags.string("type")) object.type = flags.string("type");
    return object;
  }),
};

const secretTls: Command = {
  name: "tls",
  short: "Create a TLS secret",
  use: "tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none]",
  flags: [
    ...createCommonFlags,
    { name: "cert", kind: "string", usage: "Path to PEM encoded public key certificate." },
    { name: "key", kind: "string", usage: "Path to private key associated with given certificate." },
  ],
  run: generate("secret tls", "secrets", async (name, context, flags) => {
    const cert = await context.io.readFile(flags.string("cert"));
    const key = await context.io.readFile(flags.string("key"));
    const object: KubeObject = {
      kind: "Secret",
      apiVersion: "v1",
      metadata: meta(name),
      data: { "tls.crt": base64(cert), "tls.key": base64(key) },
      type: "kubernetes.io/tls",
    };
    return object;
  }),
};

const secretDocker: Command = {
  name: "docker-registry",
  short: "Create a secret for use with a Docker registry",
  use: "docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none]",
  flags: [
    ...createCommonFlags,
    {
      name: "docker-server",
      kind: "string",
      default: "https://index.docker.io/v1/",
      usage: "Server location for Docker registry",
    },
    { name: "docker-username", kind: "string", usage: "Username for Docker registry authentication" },
    { name: "docker-password", kind: "string", usage: "Password for Docker registry authentication" },
    { name: "docker-email", kind: "string", usage: "Email for Docker registry" },
  ],
  run: generate("secret docker-registry", "secrets", (name, _context, flags) => {
    const server = flags.string("docker-server");
    const username = flags.string("docker-username");
    const password = flags.string("docker-password");
    const entry: Record<string, string> = { username, password };
    if (flags.string("docker-email")) entry.email = flags.string("docker-email");
    entry.auth = base64(`${username}:${password}`);
    const config = JSON.stringify({ auths: { [server]: entry } });
    const object: KubeObject = {
      kind: "Secret",
      apiVersion: "v1",
      metadata: meta(name),
      data: { ".dockerconfigjson": base64(config) },
      type: "kubernetes.io/dockerconfigjson",
    };
    return object;
  }),
};

const secretCommand: Command = {
  name: "secret",
  short: "Create a secret using a specified subcommand",
  use: "secret (docker-registry | generic | tls)",
  subcommands: [secretDocker, secretGeneric, secretTls],
};

const serviceAccountCommand: Command = {
  name: "serviceaccount",
  aliases: ["sa"],
  short: "Create a service account with the specified name",
  use: "serviceaccount NAME [--dry-run=server|client|none]",
  flags: createCommonFlags,
  run: generate("serviceaccount", "serviceaccounts", (name) => ({
    kind: "ServiceAccount",
    apiVersion: "v1",
    metadata: meta(name),
  })),
};

const jobCommand: Command = {
  name: "job",
  short: "Create a job with the specified name",
  use: "job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]",
  flags: [
    ...createCommonFlags,
    { name: "image", kind: "string", usage: "Image name to run." },
    {
      name: "from",
      kind: "string",
      usage: "The name of the resource to create a Job from (only cronjob is supported).",
    },
  ],
  async run(context, flags) {
    const name = flags.positional[0];
    if (!name)
      throw new KubectlError(
        "error: exactly one NAME is required, got 0\nSee 'kubectl create job -h' for help and examples",
      );
    const from = flags.string("from");
    const jobInfo = await info(context, "jobs.batch");
    if (from) {
      const [kind, source] = from.split("/");
      if (!source || !["cronjob", "cronjobs", "cj"].includes((kind ?? "").toLowerCase())) {
        throw new KubectlError(`error: from must be an existing cronjob: ${from}`);
      }
      const client = await context.client();
      const namespace = await context.namespace();
      const cronJob = await client.get<KubeObject>(`/apis/batch/v1/namespaces/${namespace}/cronjobs/${source}`);
      const jobTemplate = cronJob.spec?.jobTemplate as {
        metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
        spec?: unknown;
      };
      const object: KubeObject = {
        kind: "Job",
        apiVersion: "batch/v1",
        metadata: {
          name,
          creationTimestamp: null as unknown as string,
          ...(jobTemplate.metadata?.labels ? { labels: jobTemplate.metadata.labels } : {}),
          annotations: { "cronjob.kubernetes.io/instantiate": "manual", ...(jobTemplate.metadata?.annotations ?? {}) },
          ownerReferences: [
            {
              apiVersion: "batch/v1",
              kind: "CronJob",
              name: source,
              uid: String(cronJob.metadata?.uid),
              controller: true,
            },
          ],
        },
        spec: jobTemplate.spec as Record<string, unknown>,
        status: {},
      };
      return createGenerated(context, flags, object, jobInfo);
    }
    const image = flags.string("image");
    if (!image) throw new KubectlError("error: either --image or --from must be specified");
    const command = flags.positional.slice(1);
    const object: KubeObject = {
      kind: "Job",
      apiVersion: "batch/v1",
      metadata: meta(name),
      spec: {
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            containers: [{ name, image, ...(command.length > 0 ? { command } : {}), resources: {} }],
            restartPolicy: "Never",
          },
        },
      },
      status: {},
    };
    return createGenerated(context, flags, object, jobInfo);
  },
};

const cronJobCommand: Command = {
  name: "cronjob",
  aliases: ["cj"],
  short: "Create a cron job with the specified name",
  use: "cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...] [flags]",
  flags: [
    ...createCommonFlags,
    { name: "image", kind: "string", usage: "Image name to run." },
    { name: "schedule", kind: "string", usage: "A schedule in the Cron format the job should be run with." },
    { name: "restart", kind: "string", usage: "job's restart policy. supported values: OnFailure, Never" },
  ],
  async run(context, flags) {
    const name = flags.positional[0];
    if (!name)
      throw new KubectlError(
        "error: exactly one NAME is required, got 0\nSee 'kubectl create cronjob -h' for help and examples",
      );
    const image = flags.string("image");
    if (!image) throw new KubectlError('error: required flag(s) "image", "schedule" not set');
    const schedule = flags.string("schedule");
    if (!schedule) throw new KubectlError('error: required flag(s) "schedule" not set');
    const command = flags.positional.slice(1);
    const object: KubeObject = {
      kind: "CronJob",
      apiVersion: "batch/v1",
      metadata: meta(name),
      spec: {
        jobTemplate: {
          metadata: { name, creationTimestamp: null },
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: {
                containers: [{ name, image, ...(command.length > 0 ? { command } : {}), resources: {} }],
                restartPolicy: flags.string("restart") || "OnFailure",
              },
            },
          },
        },
        schedule,
      },
      status: {},
    };
    return createGenerated(context, flags, object, await info(context, "cronjobs.batch"));
  },
};

async function rulesFrom(context: CommandContext, flags: Flags): Promise<Record<string, unknown>[]> {
  const verbs = flags.list("verb");
  const resources = flags.list("resource");
  const names = flags.list("resource-name");
  if (verbs.length === 0) throw new KubectlError("error: at least one verb must be specified");
  if (resources.length === 0 && flags.list("non-resource-url").length === 0)
    throw new KubectlError("error: at least one resource must be specified");
  const discovery = await context.discovery();
  const byGroup = new Map<string, string[]>();
  for (const typed of resources) {
    const [resourcePart, subresource] = typed.split("/");
    let group: string;
    let resource: string;
    if (resourcePart === "*") {
      group = "";
      resource = "*";
    } else {
      const found = await discovery.resolve(resourcePart as string);
      group = found.group;
      resource = found.resource;
    }
    const list = byGroup.get(group) ?? [];
    list.push(subresource ? `${resource}/${subresource}` : resource);
    byGroup.set(group, list);
  }
  const rules: Record<string, unknown>[] = [];
  for (const [group, groupResources] of byGroup) {
    const rule: Record<string, unknown> = { apiGroups: [group], resources: groupResources, verbs };
    if (names.length > 0) rule.resourceNames = names;
    rules.push(rule);
  }
  if (flags.list("non-resource-url").length > 0) rules.push({ nonResourceURLs: flags.list("non-resource-url"), verbs });
  return rules;
}

const roleFlags: FlagSpec[] = [
  ...createCommonFlags,
  { name: "verb", kind: "stringSlice", usage: "Verb that applies to the resources contained in the rule" },
  { name: "resource", kind: "stringSlice", usage: "Resource that the rule applies to" },
  {
    name: "resource-name",
    kind: "stringArray",
    usage: "Resource in the white list that the rule applies to, repeat this flag for multiple items",
  },
];

const roleCommand: Command = {
  name: "role",
  short: "Create a role with single rule",
  use: "role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]",
  flags: roleFlags,
  run: generate("role", "roles.rbac.authorization.k8s.io", async (name, context, flags) => {
    const rules = await rulesFrom(context, flags);
    return { kind: "Role", apiVersion: "rbac.authorization.k8s.io/v1", metadata: meta(name), rules };
  }),
};

const clusterRoleCommand: Command = {
  name: "clusterrole",
  short: "Create a cluster role",
  use: "clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename] [--dry-run=server|client|none]",
  flags: [
    ...roleFlags,
    { name: "non-resource-url", kind: "stringSlice", usage: "A partial url that user should have access to." },
    { name: "aggregation-rule", kind: "string", usage: "An aggregation label selector for combining ClusterRoles." },
  ],
  run: generate("clusterrole", "clusterroles.rbac.authorization.k8s.io", async (name, context, flags) => {
    const rules = await rulesFrom(context, flags);
    return { kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", metadata: meta(name), rules };
  }),
};

function subjectsFrom(flags: Flags): Record<string, unknown>[] {
  const subjects: Record<string, unknown>[] = [];
  for (const user of flags.list("user"))
    subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user });
  for (const group of flags.list("group"))
    subjects.push({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group });
  for (const account of flags.list("serviceaccount")) {
    const [namespace, name] = account.split(":");
    if (!name) throw new KubectlError(`error: serviceaccount must be <namespace>:<name>`);
    subjects.push({ kind: "ServiceAccount", name, namespace });
  }
  return subjects;
}

const bindingFlags: FlagSpec[] = [
  ...createCommonFlags,
  {
    name: "user",
    kind: "stringArray",
    usage: "Usernames to bind to the clusterrole. The flag can be repeated to add multiple users.",
  },
  {
    name: "group",
    kind: "stringArray",
    usage: "Groups to bind to the clusterrole. The flag can be repeated to add multiple groups.",
  },
  {
    name: "serviceaccount",
    kind: "stringArray",
    usage:
      "Service accounts to bind to the clusterrole, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.",
  },
  { name: "clusterrole", kind: "string", usage: "ClusterRole this ClusterRoleBinding should reference" },
];

const roleBindingCommand: Command = {
  name: "rolebinding",
  short: "Create a role binding for a particular role or cluster role",
  use: "rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]",
  flags: [...bindingFlags, { name: "role", kind: "string", usage: "Role this RoleBinding should reference" }],
  run: generate("rolebinding", "rolebindings.rbac.authorization.k8s.io", (name, _context, flags) => {
    const role = flags.string("role");
    const clusterRole = flags.string("clusterrole");
    if (!role && !clusterRole) throw new KubectlError("error: exactly one of clusterrole or role must be specified");
    if (role && clusterRole) throw new KubectlError("error: exactly one of clusterrole or role must be specified");
    const object: KubeObject = {
      kind: "RoleBinding",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: meta(name),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: role ? "Role" : "ClusterRole",
        name: role || clusterRole,
      },
    };
    const subjects = subjectsFrom(flags);
    if (subjects.length > 0) object.subjects = subjects;
    return object;
  }),
};

const clusterRoleBindingCommand: Command = {
  name: "clusterrolebinding",
  short: "Create a cluster role binding for a particular cluster role",
  use: "clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]",
  flags: bindingFlags,
  run: generate("clusterrolebinding", "clusterrolebindings.rbac.authorization.k8s.io", (name, _context, flags) => {
    const object: KubeObject = {
      kind: "ClusterRoleBinding",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: meta(name),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: flags.string("clusterrole") },
    };
    const subjects = subjectsFrom(flags);
    if (subjects.length > 0) object.subjects = subjects;
    return object;
  }),
};

function serviceCommand(type: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"): Command {
  const name = type.toLowerCase();
  const flags: FlagSpec[] = [...createCommonFlags];
  if (type !== "ExternalName")
    flags.push({ name: "tcp", kind: "stringSlice", usage: "Port pairs can be specified as '<port>:<targetPort>'." });
  if (type === "ClusterIP")
    flags.push({
      name: "clusterip",
      kind: "string",
      usage: "Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing).",
    });
  if (type === "NodePort")
    flags.push({ name: "node-port", kind: "int", usage: "Port used to expose the service on each node in a cluster." });
  if (type === "ExternalName") flags.push({ name: "external-name", kind: "string", usage: "External name of service" });
  return {
    name,
    short: `Create a ${type} service`,
    use: `${name} NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none]`,
    flags,
    async run(context, parsed) {
      const serviceName = requireName(parsed, `kubectl create service ${name}`, "");
      const ports = parsed.list("tcp").map((pair) => {
        const [port, target] = pair.split(":");
        if (!/^[0-9]+$/.test(port ?? ""))
          throw new KubectlError(`error: strconv.ParseUint: parsing "${port}": invalid syntax`);
        const portNumber = Number(port);
        const targetValue = target === undefined ? portNumber : /^[0-9]+$/.test(target) ? Number(target) : target;
        const entry: Record<string, unknown> = {
          name: `${port}-${target ?? port}`,
          port: portNumber,
          protocol: "TCP",
          targetPort: targetValue,
        };
        if (type === "NodePort" && parsed.int("node-port") > 0) entry.nodePort = parsed.int("node-port");
        return entry;
      });
      if (type !== "ExternalName" && ports.length === 0 && parsed.string("clusterip") !== "None") {
        throw new KubectlError("error: at least one tcp port specifier must be provided");
      }
      const labels = { app: serviceName };
      const spec: Record<string, unknown> = { ports, selector: labels, type };
      if (type === "ClusterIP" && parsed.string("clusterip")) spec.clusterIP = parsed.string("clusterip");
      if (type === "ExternalName") {
        spec.externalName = parsed.string("external-name");
        delete spec.selector;
      }
      const object: KubeObject = {
        kind: "Service",
        apiVersion: "v1",
        metadata: meta(serviceName, labels),
        spec,
        status: { loadBalancer: {} },
      };
      return createGenerated(context, parsed, object, await info(context, "services"));
    },
  };
}

const serviceGroup: Command = {
  name: "service",
  aliases: ["svc"],
  short: "Create a service using a specified subcommand",
  use: "service [flags]",
  subcommands: [
    serviceCommand("ClusterIP"),
    serviceCommand("ExternalName"),
    serviceCommand("LoadBalancer"),
    serviceCommand("NodePort"),
  ],
};

const quotaCommand: Command = {
  name: "quota",
  aliases: ["resourcequota"],
  short: "Create a quota with the specified name",
  use: "quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2] [--dry-run=server|client|none]",
  flags: [
    ...createCommonFlags,
    {
      name: "hard",
      kind: "string",
      usage: "A comma-delimited set of resource=quantity pairs that define a hard limit.",
    },
    {
      name: "scopes",
      kind: "string",
      usage: "A comma-delimited set of quota scopes that must all match each object tracked by the quota.",
    },
  ],
  run: generate("quota", "resourcequotas", (name, _context, flags) => {
    const hard = Object.fromEntries(
      flags
        .string("hard")
        .split(",")
        .filter(Boolean)
        .map((pair) => pair.split("=") as [string, string]),
    );
    const spec: Record<string, unknown> = { hard };
    if (flags.string("scopes")) spec.scopes = flags.string("scopes").split(",");
    return { kind: "ResourceQuota", apiVersion: "v1", metadata: meta(name), spec, status: {} };
  }),
};

/** intstr.Parse: a number, else the text (`50%`). */
const intOrString = (text: string): number | string => (/^-?[0-9]+$/.test(text) ? Number(text) : text);

const podDisruptionBudgetCommand: Command = {
  name: "poddisruptionbudget",
  aliases: ["pdb"],
  short: "Create a pod disruption budget with the specified name",
  use: "poddisruptionbudget NAME --selector=SELECTOR --min-available=N [--dry-run=server|client|none]",
  flags: [
    ...createCommonFlags,
    {
      name: "max-unavailable",
      kind: "string",
      usage: "The maximum number or percentage of unavailable pods this budget requires.",
    },
    {
      name: "min-available",
      kind: "string",
      usage: "The minimum number or percentage of available pods this budget requires.",
    },
    {
      name: "selector",
      kind: "string",
      usage: "A label selector to use for this budget. Only equality-based selector requirements are supported.",
    },
  ],
  run: generate("poddisruptionbudget", "poddisruptionbudgets.policy", (_name, _context, flags) => {
    const selector = flags.string("selector");
    const min = flags.string("min-available");
    const max = flags.string("max-unavailable");
    if (!selector) throw plainError("a selector must be specified");
    if (!max && !min) throw plainError("one of min-available or max-unavailable must be specified");
    if (max && min) throw plainError("min-available and max-unavailable cannot be both specified");
    if (min && !/^[0-9]+%?$/.test(min)) throw plainError("invalid format specified for min-available");
    if (max && !/^[0-9]+%?$/.test(max)) throw plainError("invalid format specified for max-unavailable");
    const matchLabels = Object.fromEntries(
      selector
        .split(",")
        .filter(Boolean)
        .map((pair) => pair.split(/==?/) as [string, string]),
    );
    // policyv1.PodDisruptionBudgetSpec's field order, as -o json prints it.
    const spec: Record<string, unknown> = {};
    if (min) spec.minAvailable = intOrString(min);
    spec.selector = { matchLabels };
    if (max) spec.maxUnavailable = intOrString(max);
    return {
      kind: "PodDisruptionBudget",
      apiVersion: "policy/v1",
      metadata: meta(_name),
      spec,
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    };
  }),
};

const priorityClassCommand: Command = {
  name: "priorityclass",
  aliases: ["pc"],
  short: "Create a priority class with the specified name",
  use: "priorityclass NAME --value=VALUE --global-default=BOOL [--dry-run=server|client|none]",
  flags: [
    ...createCommonFlags,
    {
      name: "description",
      kind: "string",
      usage:
        "description is an arbitrary string that usually provides guidelines on when this priority class should be used.",
    },
    {
      name: "global-default",
      kind: "bool",
      usage: "global-default specifies whether this PriorityClass should be considered as the default priority.",
    },
    {
      name: "preemption-policy",
      kind: "string",
      default: "PreemptLowerPriority",
      usage: "preemption-policy is the policy for preempting pods with lower priority.",
    },
    { name: "value", kind: "int", usage: "the value of this priority class." },
  ],
  run: generate("priorityclass", "priorityclasses.scheduling.k8s.io", (name, _context, flags) => ({
    kind: "PriorityClass",
    apiVersion: "scheduling.k8s.io/v1",
    metadata: meta(name),
    value: flags.int("value"),
    ...(flags.bool("global-default") ? { globalDefault: true } : {}),
    ...(flags.string("description") ? { description: flags.string("description") } : {}),
    preemptionPolicy: flags.string("preemption-policy"),
  })),
};

/**
 * The rule check of kubectl 1.32's create_ingress.go: `host/path=service:port` at the start (the
 * path runs to the last `=` before `service:port`); its optional `,tls[=secret]` group is not
 * anchored to the end, so anything may follow.
 */
const ingressRulePattern = /^[\w*\-.]*\/.*=[\w-]+:[\w-]+/;

const ingressCommand: Command = {
  name: "ingress",
  aliases: ["ing"],
  short: "Create an ingress with the specified name",
  use: "ingress NAME --rule=host/path=service:port[,tls[=secret]] ",
  flags: [
    ...createCommonFlags,
    {
      name: "rule",
      kind: "stringArray",
      usage:
        "Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character '*' are considered pathType=Prefix. tls argument is optional.",
    },
    { name: "class", kind: "string", usage: "Ingress Class to be used" },
    { name: "default-backend", kind: "string", usage: "Default service for backend, in format of svcname:port" },
    {
      name: "annotation",
      kind: "stringArray",
      usage: "Annotation to insert in the ingress object, in the format annotation=value",
    },
  ],
  async run(context, flags) {
    const name = requireName(flags, "kubectl create ingress", "");
    const rules = flags.list("rule");
    const annotations = flags.list("annotation");
    const defaultBackend = flags.string("default-backend");
    validateIngressFlags(rules, annotations, defaultBackend);
    const spec: Record<string, unknown> = {};
    if (flags.string("class")) spec.ingressClassName = flags.string("class");
    if (defaultBackend) spec.defaultBackend = ingressBackend(defaultBackend);
    const tls = ingressTls(rules);
    if (tls.length > 0) spec.tls = tls;
    const ingressRules = ingressRulesOf(rules);
    if (ingressRules.length > 0) spec.rules = ingressRules;
    const metadata: Record<string, unknown> = meta(name);
    if (annotations.length > 0)
      metadata.annotations = Object.fromEntries(
        annotations.map((annotation) => {
          const equals = annotation.indexOf("=");
          return [annotation.slice(0, equals), annotation.slice(equals + 1)];
        }),
      );
    return createGenerated(
      context,
      flags,
      { kind: "Ingress", apiVersion: "networking.k8s.io/v1", metadata, spec, status: { loadBalancer: {} } },
      await info(context, "ingresses.networking.k8s.io"),
    );
  },
};

/** CreateIngressOptions.Validate, in its order and words. */
function validateIngressFlags(rules: string[], annotations: string[], defaultBackend: string): void {
  if (!defaultBackend && rules.length === 0)
    throw new KubectlError(
      "error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)",
    );
  for (const rule of rules)
    if (!ingressRulePattern.test(rule))
      throw new KubectlError(
        `error: rule ${rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]`,
      );
  for (const annotation of annotations)
    if (!annotation.includes("="))
      throw new KubectlError(`error: annotation ${annotation} is invalid and should be in format key=[value]`);
  if (defaultBackend && defaultBackend.split(":").length !== 2)
    throw new KubectlError("error: default-backend should be in format servicename:serviceport");
}

/** buildIngressBackendSvc: `service:port`, the port a number when it parses as one (intstr.Parse). */
function ingressBackend(service: string): Record<string, unknown> {
  const [serviceName, port = ""] = service.split(":");
  const number = /^[+-]?\d+$/.test(port) ? Number(port) : undefined;
  const portSpec = number === undefined ? { name: port } : number === 0 ? {} : { number };
  return { service: { name: serviceName, port: portSpec } };
}

/**
 * buildIngressRules: one rule per host, the paths of every --rule for that host gathered in it, in
 * order; a trailing `*` makes a path's type Prefix, else Exact.
 */
function ingressRulesOf(rules: string[]): Record<string, unknown>[] {
  const out: { host?: string; http: { paths: unknown[] } }[] = [];
  for (const rule of rules) {
    const withoutTls = rule.split(",")[0] as string;
    const slash = withoutTls.indexOf("/");
    const host = withoutTls.slice(0, slash);
    const [rawPath = "", service] = withoutTls.slice(slash + 1).split("=");
    // A rule the loose check lets through with a `,` or second `=` in its path crashes kubectl 1.32.
    if (service === undefined || !service.includes(":"))
      throw new KubectlError("panic: runtime error: index out of range [1] with length 1", 2);
    let path = `/${rawPath}`;
    let pathType = "Exact";
    if (path.endsWith("*")) {
      pathType = "Prefix";
      path = path.slice(0, -1);
    }
    // Go's HTTPIngressPath field order, which -o json keeps.
    const ingressPath = { path, pathType, backend: ingressBackend(service) };
    const existing = out.find((candidate) => (candidate.host ?? "") === host);
    if (existing) existing.http.paths.push(ingressPath);
    else out.push({ ...(host ? { host } : {}), http: { paths: [ingressPath] } });
  }
  return out;
}

/**
 * buildTLSRules: a rule's `,tls[=secret]` puts its host under that secret's entry (hosts without a
 * secret share the entry that has none), each host once.
 */
function ingressTls(rules: string[]): Record<string, unknown>[] {
  const out: { hosts?: string[]; secretName?: string }[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const parts = rule.split(",");
    if (parts.length !== 2) continue;
    const host = rule.split("/")[0] as string;
    const secretParts = (parts[1] as string).split("=");
    const secret = secretParts.length > 1 ? (secretParts[1] as string) : "";
    if (seen.has(host)) continue;
    seen.add(host);
    const existing = out.find((entry) => (entry.secretName ?? "") === secret);
    if (existing) {
      existing.hosts = [...(existing.hosts ?? []), host];
      continue;
    }
    const entry: { hosts?: string[]; secretName?: string } = {};
    if (host) entry.hosts = [host];
    if (secret) entry.secretName = secret;
    if (entry.hosts || entry.secretName) out.push(entry);
  }
  return out;
}

/** `kubectl create -f` and its generators. */
export const createCommand: Command = {
  name: "create",
  short: "Create a resource from a file or from stdin",
  long: "Create a resource from a file or from stdin.\n\n JSON and YAML formats are accepted.",
  use: "create -f FILENAME",
  flags: [
    recordFlag,
    ...createCommonFlags,
    ...filenameFlags("use to create the resource"),
    { name: "edit", kind: "bool", usage: "Edit the API resource before creating" },
    {
      name: "selector",
      shorthand: "l",
      kind: "string",
      usage:
        "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.",
    },
    {
      name: "raw",
      kind: "string",
      usage: "Raw URI to POST to the server.  Uses the transport specified by the kubeconfig file.",
    },
  ],
  subcommands: [
    clusterRoleCommand,
    clusterRoleBindingCommand,
    configmapCommand,
    cronJobCommand,
    deploymentCommand,
    ingressCommand,
    jobCommand,
    namespaceCommand,
    podDisruptionBudgetCommand,
    priorityClassCommand,
    quotaCommand,
    roleCommand,
    roleBindingCommand,
    secretCommand,
    serviceGroup,
    serviceAccountCommand,
    createTokenCommand,
  ],
  async run(context, flags) {
    const fieldValidation = validationDirective(flags);
    const filenames = filenameArguments(flags);
    if (filenames.length === 0) {
      if (flags.positional.length > 0) {
        throw new KubectlError(
          `error: Unexpected args: [${flags.positional.join(" ")}]\nSee 'kubectl create -h' for help and examples`,
        );
      }
      throw new KubectlError("error: must specify one of -f and -k");
    }
    const dryRun: DryRun = dryRunOf(context, flags);
    const manifests = await readFilenameOptions(context.io, flags);
    const discovery = await context.discovery();
    const namespace = await context.namespace();
    let failed = false;
    for (const manifest of manifests) {
      const object = manifest.object as KubeObject;
      try {
        const resource = await discovery.resolveKind(String(object.apiVersion ?? ""), String(object.kind ?? ""));
        const objectNamespace = object.metadata?.namespace;
        if (objectNamespace && context.explicitNamespace && objectNamespace !== namespace) {
          throw new KubectlError(
            `error: the namespace from the provided object "${objectNamespace}" does not match the namespace "${namespace}". You must pass '--namespace=${objectNamespace}' to perform this operation.`,
          );
        }
        const created = await createObject(
          context,
          resource,
          object,
          objectNamespace ?? namespace,
          dryRun,
          flags.string("field-manager") || "kubectl-create",
          fieldValidation,
        );
        printResult(context, flags, resource, created, "created", dryRun);
      } catch (error) {
        failed = true;
        const { describeFailure } = await import("../errors");
        const message =
          error instanceof ApiStatusError
            ? formatApiError(error, `error when creating "${manifest.source}": `)
            : describeFailure(error).message;
        context.io.stderr(`${message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};
