import { type IFileSystem, InMemoryFs } from "just-bash";
import type {
  ConfigMap,
  Container,
  DownwardAPIVolumeFile,
  EnvVar,
  KeyToPath,
  Pod,
  Secret,
  Service,
  Volume,
} from "../api/core";
import { quantityToMilli, quantityToNumber } from "../api/quantity";
import type { ImageDefinition } from "../images";
import type { Mount } from "../runtime";
import { LazyVolumeFs } from "./LazyVolumeFs";
import { NodeDirectoryFileSystem } from "./NodeDirectoryFileSystem";

/** A container cannot be configured (CreateContainerConfigError), with the kubelet's message. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContainerConfigError";
  }
}

/** A volume cannot be set up (the pod stays ContainerCreating with FailedMount events). */
export class VolumeMountError extends Error {
  constructor(
    readonly volume: string,
    message: string,
  ) {
    super(message);
    this.name = "VolumeMountError";
  }
}

/** How the kubelet reads ConfigMaps and Secrets: undefined when they do not exist. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  serviceAccountToken(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string>;
  /** Services of a namespace, for the service-link environment variables. */
  services?(namespace: string): Promise<Service[]>;
}

/** The docker-links style variables the kubelet sets for a Service (`WEB_SERVICE_HOST` …). */
export function serviceEnvironment(service: Service): Record<string, string> {
  const ip = service.spec?.clusterIP;
  if (!ip || ip === "None" || service.spec?.type === "ExternalName") return {};
  const prefix = (service.metadata.name ?? "").toUpperCase().replace(/-/g, "_");
  const env: Record<string, string> = { [`${prefix}_SERVICE_HOST`]: ip };
  const ports = service.spec?.ports ?? [];
  ports.forEach((port, index) => {
    const protocol = (port.protocol ?? "TCP").toLowerCase();
    if (index === 0) {
      env[`${prefix}_SERVICE_PORT`] = String(port.port);
      env[`${prefix}_PORT`] = `${protocol}://${ip}:${port.port}`;
    }
    if (port.name) env[`${prefix}_SERVICE_PORT_${port.name.toUpperCase().replace(/-/g, "_")}`] = String(port.port);
    const base = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    env[base] = `${protocol}://${ip}:${port.port}`;
    env[`${base}_PROTO`] = protocol;
    env[`${base}_PORT`] = String(port.port);
    env[`${base}_ADDR`] = ip;
  });
  return env;
}

/** What the node contributes: its allocatable resources and IP, for resourceFieldRef and status.hostIP. */
export interface NodeFacts {
  name: string;
  ip: string;
  allocatableCpuMillicores: number;
  allocatableMemoryBytes: number;
}

/**
 * The argv a container runs, combined as Kubernetes does: `command` replaces the image's
 * ENTRYPOINT (and drops its CMD), `args` replace CMD, and `$(VAR)` references expand from the
 * container's environment (`$$(VAR)` escapes).
 */
export function containerArgv(container: Container, image: ImageDefinition, env: Record<string, string>): string[] {
  const command = container.command?.map((part) => expandReferences(part, env));
  const args = container.args?.map((part) => expandReferences(part, env));
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  if (args && args.length > 0) return [...(image.config.entrypoint ?? []), ...args];
  return [...(image.config.entrypoint ?? []), ...(image.config.cmd ?? [])];
}

/** Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion). */
export function expandReferences(input: string, env: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const char = input[i];
    if (char === "$" && i + 1 < input.length) {
      const next = input[i + 1];
      if (next === "$") {
        out += "$";
        i++;
        continue;
      }
      if (next === "(") {
        const close = input.indexOf(")", i + 2);
        if (close > 0) {
          const name = input.slice(i + 2, close);
          if (name in env) out += env[name];
          else out += `$(${name})`;
          i = close;
          continue;
        }
      }
    }
    out += char;
  }
  return out;
}

const envNamePattern = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Reads a field of the pod for fieldRef (env and downwardAPI). */
export function podField(pod: Pod, fieldPath: string, node: NodeFacts): string {
  const labelMatch = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (labelMatch) {
    const map = labelMatch[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[labelMatch[2]] ?? "";
  }
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name ?? "";
    case "metadata.namespace":
      return pod.metadata.namespace ?? "";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "metadata.labels":
      return Object.entries(pod.metadata.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join("\n");
    case "metadata.annotations":
      return Object.entries(pod.metadata.annotations ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join("\n");
    case "spec.nodeName":
      return pod.spec?.nodeName ?? node.name;
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "default";
    case "status.hostIP":
    case "status.hostIPs":
      return node.ip;
    case "status.podIP":
    case "status.podIPs":
      return pod.status?.podIP ?? "";
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** resourceFieldRef: a container's limit or request (limits default to the node's allocatable), divided and rounded up. */
export function resourceField(
  pod: Pod,
  containerName: string,
  resource: string,
  divisor: string | number | undefined,
  node: NodeFacts,
): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const container = containers.find((c) => c.name === containerName);
  const [kind, name] = resource.split(".") as ["limits" | "requests", string];
  const value = container?.resources?.[kind]?.[name];
  if (name === "cpu") {
    const milli = value !== undefined ? quantityToMilli(value) : kind === "limits" ? node.allocatableCpuMillicores : 0;
    const divisorMilli = divisor !== undefined ? quantityToMilli(divisor) : 1000;
    return String(Math.ceil(milli / divisorMilli));
  }
  const bytes = value !== undefined ? quantityToNumber(value) : kind === "limits" ? node.allocatableMemoryBytes : 0;
  const divisorBytes = divisor !== undefined ? quantityToNumber(divisor) : 1;
  return String(Math.ceil(bytes / divisorBytes));
}

/** The service environment every pod gets for the `kubernetes` Service (enableServiceLinks aside). */
const kubernetesServiceEnv: Record<string, string> = {
  KUBERNETES_SERVICE_HOST: "10.96.0.1",
  KUBERNETES_SERVICE_PORT: "443",
  KUBERNETES_SERVICE_PORT_HTTPS: "443",
  KUBERNETES_PORT: "tcp://10.96.0.1:443",
  KUBERNETES_PORT_443_TCP: "tcp://10.96.0.1:443",
  KUBERNETES_PORT_443_TCP_PROTO: "tcp",
  KUBERNETES_PORT_443_TCP_PORT: "443",
  KUBERNETES_PORT_443_TCP_ADDR: "10.96.0.1",
};

/**
 * The container's environment as the kubelet builds it (makeEnvironmentVariables): image env,
 * service links, then envFrom sources in order, then env entries (each may reference the ones
 * before it with `$(VAR)`). Missing ConfigMaps, Secrets or keys fail with upstream's messages.
 */
export async function containerEnvironment(
  pod: Pod,
  container: Container,
  image: ImageDefinition,
  version: string,
  sources: ObjectSource,
  node: NodeFacts,
  hostname: string,
): Promise<Record<string, string>> {
  const namespace = pod.metadata.namespace ?? "default";
  const env: Record<string, string> = {};
  for (const entry of image.config.env ?? []) {
    const equals = entry.indexOf("=");
    env[entry.slice(0, equals)] = entry.slice(equals + 1).replace("{version}", version);
  }
  env.HOSTNAME = hostname;
  if (pod.spec?.enableServiceLinks !== false && sources.services) {
    for (const service of await sources.services(namespace)) {
      if (namespace === "default" && service.metadata.name === "kubernetes") continue;
      Object.assign(env, serviceEnvironment(service));
    }
  }
  Object.assign(env, kubernetesServiceEnv);
  const defined: Record<string, string> = { ...kubernetesServiceEnv };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? "";
      const configMap = await sources.configMap(namespace, name);
      if (!configMap) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [key, value] of Object.entries(configMap.data ?? {})) {
        if (envNamePattern.test(prefix + key)) defined[prefix + key] = value;
      }
    }
    if (from.secretRef) {
      const name = from.secretRef.name ?? "";
      const secret = await sources.secret(namespace, name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const [key, value] of Object.entries(secret.data ?? {})) {
        if (envNamePattern.test(prefix + key)) defined[prefix + key] = decodeBase64(value);
      }
    }
  }
  for (const variable of container.env ?? []) {
    const value = await envValue(pod, container, variable, sources, node, defined);
    if (value !== undefined) defined[variable.name] = value;
  }
  Object.assign(env, defined);
  return env;
}

async function envValue(
  pod: Pod,
  container: Container,
  variable: EnvVar,
  sources: ObjectSource,
  node: NodeFacts,
  defined: Record<string, string>,
): Promise<string | undefined> {
  const namespace = pod.metadata.namespace ?? "default";
  if (variable.value !== undefined) return expandReferences(variable.value, defined);
  const from = variable.valueFrom;
  if (!from) return "";
  if (from.fieldRef) return podField(pod, from.fieldRef.fieldPath, node);
  if (from.resourceFieldRef) {
    return resourceField(
      pod,
      from.resourceFieldRef.containerName || container.name,
      from.resourceFieldRef.resource,
      from.resourceFieldRef.divisor,
      node,
    );
  }
  if (from.configMapKeyRef) {
    const { name = "", key, optional } = from.configMapKeyRef;
    const configMap = await sources.configMap(namespace, name);
    if (!configMap) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${name}" not found`);
    }
    const value = configMap.data?.[key];
    if (value === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
    }
    return value;
  }
  if (from.secretKeyRef) {
    const { name = "", key, optional } = from.secretKeyRef;
    const secret = await sources.secret(namespace, name);
    if (!secret) {
      if (optional) return undefined;
      throw new ContainerConfigError(`secret "${name}" not found`);
    }
    const value = secret.data?.[key];
    if (value === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
    }
    return decodeBase64(value);
  }
  return "";
}

export function decodeBase64(value: string): string {
  return Buffer.from(value, "base64").toString("utf8");
}

/** Volumes that outlive a pod: hostPath directories per node, persistent volumes per cluster. */
export interface VolumeStore {
  hostPath(path: string): IFileSystem;
  persistentVolume(key: string): IFileSystem;
}

/** A VolumeStore held in memory. */
export class InMemoryVolumeStore implements VolumeStore {
  private readonly hostPaths = new Map<string, IFileSystem>();
  private readonly persistent = new Map<string, IFileSystem>();

  hostPath(path: string): IFileSystem {
    let fs = this.hostPaths.get(path);
    if (!fs) {
      fs = new InMemoryFs();
      this.hostPaths.set(path, fs);
    }
    return fs;
  }

  persistentVolume(key: string): IFileSystem {
    let fs = this.persistent.get(key);
    if (!fs) {
      fs = new InMemoryFs();
      this.persistent.set(key, fs);
    }
    return fs;
  }
}

function projectKeys(
  data: Record<string, string>,
  items: KeyToPath[] | undefined,
  kind: string,
  name: string,
  optional: boolean | undefined,
): Record<string, string> {
  if (!items) return { ...data };
  const files: Record<string, string> = {};
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new VolumeMountError(
        name,
        `configmap references non-existent config key: ${item.key}`.replace("configmap", kind),
      );
    }
    files[item.path] = value;
  }
  return files;
}

function downwardFiles(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, node: NodeFacts): Record<string, string> {
  const files: Record<string, string> = {};
  for (const item of items ?? []) {
    if (item.fieldRef) files[item.path] = podField(pod, item.fieldRef.fieldPath, node);
    else if (item.resourceFieldRef) {
      files[item.path] = resourceField(
        pod,
        item.resourceFieldRef.containerName ?? "",
        item.resourceFieldRef.resource,
        item.resourceFieldRef.divisor,
        node,
      );
    }
  }
  return files;
}

/**
 * The files of a volume, or a shared file system for emptyDir/hostPath/PVC. ConfigMap, Secret,
 * downward API and projected volumes hold the content as of `now` (the worker rewrites them when
 * their objects change), dated `now`.
 */
export async function volumeContent(
  pod: Pod,
  volume: Volume,
  sources: ObjectSource,
  node: NodeFacts,
  store: VolumeStore,
  emptyDirs: Map<string, IFileSystem>,
  now?: number,
): Promise<IFileSystem> {
  const namespace = pod.metadata.namespace ?? "default";
  // The files keep their texts, and the volume its file system, until something touches them.
  const fromFiles = (files: Record<string, string>) => new LazyVolumeFs(files, now);
  if (volume.emptyDir) {
    let fs = emptyDirs.get(volume.name);
    if (!fs) {
      fs = new InMemoryFs();
      emptyDirs.set(volume.name, fs);
    }
    return fs;
  }
  if (volume.hostPath) return store.hostPath(volume.hostPath.path);
  if (volume.persistentVolumeClaim)
    return store.persistentVolume(`${namespace}/${volume.persistentVolumeClaim.claimName}`);
  if (volume.configMap) {
    const name = volume.configMap.name ?? "";
    const configMap = await sources.configMap(namespace, name);
    if (!configMap) {
      if (volume.configMap.optional) return new InMemoryFs();
      throw new VolumeMountError(volume.name, `configmap "${name}" not found`);
    }
    return fromFiles(
      projectKeys(
        { ...(configMap.data ?? {}) },
        volume.configMap.items,
        "configmap",
        volume.name,
        volume.configMap.optional,
      ),
    );
  }
  if (volume.secret) {
    const name = volume.secret.secretName ?? "";
    const secret = await sources.secret(namespace, name);
    if (!secret) {
      if (volume.secret.optional) return new InMemoryFs();
      throw new VolumeMountError(volume.name, `secret "${name}" not found`);
    }
    const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, decodeBase64(v)]));
    return fromFiles(projectKeys(data, volume.secret.items, "secret", volume.name, volume.secret.optional));
  }
  if (volume.downwardAPI) return fromFiles(downwardFiles(pod, volume.downwardAPI.items, node));
  if (volume.projected) {
    const files: Record<string, string> = {};
    for (const source of volume.projected.sources ?? []) {
      if (source.serviceAccountToken) {
        files[source.serviceAccountToken.path] = await sources.serviceAccountToken(
          pod,
          source.serviceAccountToken.audience,
          source.serviceAccountToken.expirationSeconds ?? 3607,
        );
      }
      if (source.configMap) {
        const name = source.configMap.name ?? "";
        const configMap = await sources.configMap(namespace, name);
        if (!configMap) {
          if (source.configMap.optional) continue;
          throw new VolumeMountError(volume.name, `configmap "${name}" not found`);
        }
        Object.assign(
          files,
          projectKeys(
            { ...(configMap.data ?? {}) },
            source.configMap.items,
            "configmap",
            volume.name,
            source.configMap.optional,
          ),
        );
      }
      if (source.secret) {
        const name = source.secret.name ?? "";
        const secret = await sources.secret(namespace, name);
        if (!secret) {
          if (source.secret.optional) continue;
          throw new VolumeMountError(volume.name, `secret "${name}" not found`);
        }
        const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, decodeBase64(v)]));
        Object.assign(files, projectKeys(data, source.secret.items, "secret", volume.name, source.secret.optional));
      }
      if (source.downwardAPI) Object.assign(files, downwardFiles(pod, source.downwardAPI.items, node));
    }
    return fromFiles(files);
  }
  // Network and cloud volumes (nfs, csi …) mount as empty directories.
  return new InMemoryFs();
}

/**
 * Mounts for a container. A `subPath` mount of a ConfigMap/Secret key becomes a file written into
 * the container (the common `nginx.conf` pattern); other subPaths mount the whole volume.
 */
export async function containerMounts(
  container: Container,
  volumes: Map<string, IFileSystem>,
): Promise<{ mounts: Mount[]; files: Record<string, string> }> {
  const mounts: Mount[] = [];
  const files: Record<string, string> = {};
  for (const mount of container.volumeMounts ?? []) {
    const fs = volumes.get(mount.name);
    if (!fs)
      throw new ContainerConfigError(`cannot find volume "${mount.name}" to mount into container "${container.name}"`);
    if (mount.subPath) {
      const path = `/${mount.subPath}`;
      try {
        const stat = await fs.stat(path);
        if (stat.isFile) {
          files[mount.mountPath] = await fs.readFile(path);
          continue;
        }
      } catch {
        // A subPath that does not exist yet is created as a directory by the kubelet.
      }
    }
    // A hostPath volume names its node directory, as the CRI mount's host_path does.
    const hostPath = fs instanceof NodeDirectoryFileSystem ? fs.directory : undefined;
    mounts.push({ path: mount.mountPath, fs, readOnly: mount.readOnly, ...(hostPath ? { hostPath } : {}) });
  }
  return { mounts, files };
}
