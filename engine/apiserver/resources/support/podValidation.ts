/**
 * ValidatePodSpec and its helpers, ported from upstream's pkg/apis/core/validation/validation.go
 * with the same field paths and messages. Shared by pods and every pod template.
 */
import type {
  Container,
  ContainerPort,
  EnvVar,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ResourceRequirements,
  Toleration,
  Volume,
} from "../../../api/core";
import { compareQuantities, isQuantity } from "../../../api/quantity";
import type { FieldError } from "../../ResourceDefinition";
import { volumeSourceKeys } from "./podDefaults";
import {
  duplicate,
  forbidden,
  invalid,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidPortName,
  isValidPortNumber,
  notFound,
  notSupported,
  required,
  validateAnnotations,
  validateLabels,
  validateNonnegative,
  validateQuantity,
} from "./validation";

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const pullPolicies = ["Always", "IfNotPresent", "Never"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];
const protocols = ["SCTP", "TCP", "UDP"];
const tolerationOperators = ["Equal", "Exists"];
const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const standardResources = ["cpu", "memory", "ephemeral-storage", "hugepages-"];

function validateProbe(
  probe: Probe | undefined,
  field: string,
  kind: "liveness" | "readiness" | "startup",
): FieldError[] {
  if (!probe) return [];
  const errors: FieldError[] = [];
  const handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter((key) => probe[key as keyof Probe] !== undefined);
  if (handlers.length === 0) errors.push(required(field, "must specify a handler type"));
  else if (handlers.length > 1)
    errors.push(forbidden(`${field}.${handlers[1]}`, "may not specify more than 1 handler type"));
  for (const key of [
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
  ] as const) {
    errors.push(...validateNonnegative(probe[key], `${field}.${key}`));
  }
  if (
    (kind === "liveness" || kind === "startup") &&
    probe.successThreshold !== undefined &&
    probe.successThreshold !== 1
  ) {
    errors.push(invalid(`${field}.successThreshold`, probe.successThreshold, "must be 1"));
  }
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  const portField = probe.httpGet ? `${field}.httpGet.port` : `${field}.tcpSocket.port`;
  if ((probe.httpGet || probe.tcpSocket) && port === undefined) errors.push(required(portField));
  if (typeof port === "number")
    for (const message of isValidPortNumber(port)) errors.push(invalid(portField, port, message));
  if (typeof port === "string")
    for (const message of isValidPortName(port)) errors.push(invalid(portField, port, message));
  if (probe.httpGet?.scheme && !["HTTP", "HTTPS"].includes(probe.httpGet.scheme)) {
    errors.push(notSupported(`${field}.httpGet.scheme`, probe.httpGet.scheme, ["HTTP", "HTTPS"]));
  }
  return errors;
}

function validatePorts(ports: ContainerPort[] | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, index) => {
    const path = `${field}[${index}]`;
    if (port.name) {
      for (const message of isValidPortName(port.name)) errors.push(invalid(`${path}.name`, port.name, message));
      if (names.has(port.name)) errors.push(duplicate(`${path}.name`, port.name));
      names.add(port.name);
    }
    if (!port.containerPort) errors.push(required(`${path}.containerPort`));
    else
      for (const message of isValidPortNumber(port.containerPort))
        errors.push(invalid(`${path}.containerPort`, port.containerPort, message));
    if (port.hostPort)
      for (const message of isValidPortNumber(port.hostPort))
        errors.push(invalid(`${path}.hostPort`, port.hostPort, message));
    if (!port.protocol) errors.push(required(`${path}.protocol`));
    else if (!protocols.includes(port.protocol))
      errors.push(notSupported(`${path}.protocol`, port.protocol, protocols));
  });
  return errors;
}

function validateEnv(env: EnvVar[] | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  (env ?? []).forEach((variable, index) => {
    const path = `${field}[${index}]`;
    if (!variable.name) errors.push(required(`${path}.name`));
    // RelaxedEnvironmentVariableValidation is on by default since 1.32.
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(variable.name)) {
      errors.push(
        invalid(
          `${path}.name`,
          variable.name,
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
      );
    }
    const source = variable.valueFrom;
    if (source) {
      const kinds = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"].filter(
        (key) => source[key as keyof typeof source] !== undefined,
      );
      if (variable.value)
        errors.push(invalid(`${path}.valueFrom`, "", "may not be specified when `value` is not empty"));
      if (kinds.length === 0)
        errors.push(
          invalid(
            `${path}.valueFrom`,
            "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
          ),
        );
      else if (kinds.length > 1)
        errors.push(invalid(`${path}.valueFrom`, "", "may not have more than one field specified at a time"));
      for (const key of ["configMapKeyRef", "secretKeyRef"] as const) {
        const reference = source[key];
        if (reference && !reference.key) errors.push(required(`${path}.valueFrom.${key}.key`));
      }
      if (source.fieldRef && !source.fieldRef.fieldPath) errors.push(required(`${path}.valueFrom.fieldRef.fieldPath`));
    }
  });
  return errors;
}

function isStandardContainerResource(name: string): boolean {
  return standardResources.some((resource) => (resource.endsWith("-") ? name.startsWith(resource) : name === resource));
}

/** ValidateResourceRequirements with upstream's messages. */
export function validateResources(resources: ResourceRequirements | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!resources) return errors;
  const limits = resources.limits ?? {};
  const requests = resources.requests ?? {};
  for (const [kind, list] of [
    ["limits", limits],
    ["requests", requests],
  ] as const) {
    for (const [name, value] of Object.entries(list)) {
      const path = `${field}.${kind}[${name}]`;
      if (!name.includes("/") && !isStandardContainerResource(name)) {
        errors.push(notSupported(path, name, ["cpu", "ephemeral-storage", "memory", "hugepages-*"]));
        continue;
      }
      for (const message of isQualifiedName(name)) errors.push(invalid(path, name, message));
      errors.push(...validateQuantity(value, path));
    }
  }
  for (const [name, request] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined || !isQuantity(limit) || !isQuantity(request)) continue;
    if (compareQuantities(request, limit) > 0) {
      errors.push(
        invalid(`${field}.requests`, String(request), `must be less than or equal to ${name} limit of ${limit}`),
      );
    }
  }
  return errors;
}

interface ContainerOptions {
  volumes: Map<string, Volume>;
  init: boolean;
  /** An ephemeral container: its restartPolicy is refused by the allow-list, not here. */
  ephemeral?: boolean;
}

function validateContainer(container: Container, field: string, options: ContainerOptions): FieldError[] {
  const errors: FieldError[] = [];
  if (!container.name) errors.push(required(`${field}.name`));
  else
    for (const message of isDns1123Label(container.name))
      errors.push(invalid(`${field}.name`, container.name, message));
  if (!container.image || container.image.trim() === "") errors.push(required(`${field}.image`));
  else if (container.image !== container.image.trim()) {
    errors.push(invalid(`${field}.image`, container.image, "must not have leading or trailing whitespace"));
  }
  if (container.imagePullPolicy && !pullPolicies.includes(container.imagePullPolicy)) {
    errors.push(notSupported(`${field}.imagePullPolicy`, container.imagePullPolicy, pullPolicies));
  } else if (!container.imagePullPolicy) errors.push(required(`${field}.imagePullPolicy`));
  if (container.terminationMessagePolicy && !terminationMessagePolicies.includes(container.terminationMessagePolicy)) {
    errors.push(
      notSupported(`${field}.terminationMessagePolicy`, container.terminationMessagePolicy, terminationMessagePolicies),
    );
  }
  errors.push(...validatePorts(container.ports, `${field}.ports`));
  errors.push(...validateEnv(container.env, `${field}.env`));
  const mountPaths = new Set<string>();
  (container.volumeMounts ?? []).forEach((mount, index) => {
    const path = `${field}.volumeMounts[${index}]`;
    if (!mount.name) errors.push(required(`${path}.name`));
    else if (!options.volumes.has(mount.name)) errors.push(notFound(`${path}.name`, mount.name));
    if (!mount.mountPath) errors.push(required(`${path}.mountPath`));
    else if (mountPaths.has(mount.mountPath))
      errors.push(invalid(`${path}.mountPath`, mount.mountPath, "must be unique"));
    if (mount.mountPath) mountPaths.add(mount.mountPath);
    if (mount.subPath && (mount.subPath.startsWith("/") || mount.subPath.split("/").includes(".."))) {
      errors.push(invalid(`${path}.subPath`, mount.subPath, "must be a relative path without '..'"));
    }
  });
  // An ephemeral container's resources and probes are refused whole (validateEphemeralContainers).
  if (options.ephemeral) return errors;
  errors.push(...validateResources(container.resources, `${field}.resources`));
  const sidecar = options.init && container.restartPolicy === "Always";
  if (container.restartPolicy !== undefined && !options.ephemeral) {
    if (!options.init) errors.push(forbidden(`${field}.restartPolicy`, "may not be set for non-init containers"));
    else if (container.restartPolicy !== "Always")
      errors.push(notSupported(`${field}.restartPolicy`, container.restartPolicy, ["Always"]));
  }
  if (options.init && !sidecar) {
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
      if (container[probe])
        errors.push(forbidden(`${field}.${probe}`, "may not be set for init containers without restartPolicy=Always"));
    }
    if (container.lifecycle)
      errors.push(forbidden(`${field}.lifecycle`, "may not be set for init containers without restartPolicy=Always"));
  }
  errors.push(...validateProbe(container.livenessProbe, `${field}.livenessProbe`, "liveness"));
  errors.push(...validateProbe(container.readinessProbe, `${field}.readinessProbe`, "readiness"));
  errors.push(...validateProbe(container.startupProbe, `${field}.startupProbe`, "startup"));
  return errors;
}

function validateVolumes(
  volumes: Volume[] | undefined,
  field: string,
): { errors: FieldError[]; byName: Map<string, Volume> } {
  const errors: FieldError[] = [];
  const byName = new Map<string, Volume>();
  (volumes ?? []).forEach((volume, index) => {
    const path = `${field}[${index}]`;
    if (!volume.name) errors.push(required(`${path}.name`));
    else {
      for (const message of isDns1123Label(volume.name)) errors.push(invalid(`${path}.name`, volume.name, message));
      if (byName.has(volume.name)) errors.push(duplicate(`${path}.name`, volume.name));
      byName.set(volume.name, volume);
    }
    const sources = volumeSourceKeys.filter((key) => volume[key] !== undefined && volume[key] !== null);
    if (sources.length === 0) errors.push(required(path, "must specify a volume type"));
    else if (sources.length > 1)
      errors.push(forbidden(`${path}.${sources[1]}`, "may not specify more than 1 volume type"));
    if (volume.persistentVolumeClaim && !volume.persistentVolumeClaim.claimName) {
      errors.push(required(`${path}.persistentVolumeClaim.claimName`));
    }
    if (volume.hostPath && !volume.hostPath.path) errors.push(required(`${path}.hostPath.path`));
    if (volume.configMap && !volume.configMap.name) errors.push(required(`${path}.configMap.name`));
    if (volume.secret && !volume.secret.secretName) errors.push(required(`${path}.secret.secretName`));
  });
  return { errors, byName };
}

/** ValidateTolerations. */
export function validateTolerations(tolerations: Toleration[] | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  (tolerations ?? []).forEach((toleration, index) => {
    const path = `${field}[${index}]`;
    if (toleration.key)
      for (const message of isQualifiedName(toleration.key))
        errors.push(invalid(`${path}.key`, toleration.key, message));
    if (!toleration.key && toleration.operator !== "Exists") {
      errors.push(
        invalid(
          `${path}.operator`,
          toleration.operator ?? "",
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== "NoExecute") {
      errors.push(
        invalid(
          `${path}.effect`,
          toleration.effect ?? "",
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (toleration.operator && !tolerationOperators.includes(toleration.operator)) {
      errors.push(notSupported(`${path}.operator`, toleration.operator, tolerationOperators));
    }
    if (toleration.operator === "Exists" && toleration.value) {
      errors.push(invalid(`${path}.operator`, toleration.value, "value must be empty when `operator` is 'Exists'"));
    }
    if (toleration.effect && !taintEffects.includes(toleration.effect)) {
      errors.push(notSupported(`${path}.effect`, toleration.effect, taintEffects));
    }
  });
  return errors;
}

/** Options for validatePodSpec: which restart policies the owner allows. */
export interface PodSpecOptions {
  restartPolicies?: string[];
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: PodSpec | undefined, field: string, options: PodSpecOptions = {}): FieldError[] {
  if (!spec) return [required(field)];
  const errors: FieldError[] = [];
  const volumes = validateVolumes(spec.volumes, `${field}.volumes`);
  errors.push(...volumes.errors);
  const names = new Set<string>();
  const checkName = (container: Container, path: string) => {
    if (!container.name) return;
    if (names.has(container.name)) errors.push(duplicate(`${path}.name`, container.name));
    names.add(container.name);
  };
  (spec.initContainers ?? []).forEach((container, index) => {
    const path = `${field}.initContainers[${index}]`;
    errors.push(...validateContainer(container, path, { volumes: volumes.byName, init: true }));
    checkName(container, path);
  });
  if (!spec.containers || spec.containers.length === 0) errors.push(required(`${field}.containers`));
  (spec.containers ?? []).forEach((container, index) => {
    const path = `${field}.containers[${index}]`;
    errors.push(...validateContainer(container, path, { volumes: volumes.byName, init: false }));
    checkName(container, path);
  });
  errors.push(...validateEphemeralContainers(spec, `${field}.ephemeralContainers`, volumes.byName, names));
  const allowedRestart = options.restartPolicies ?? restartPolicies;
  if (!spec.restartPolicy) errors.push(required(`${field}.restartPolicy`));
  else if (!allowedRestart.includes(spec.restartPolicy))
    errors.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, allowedRestart));
  if (!spec.dnsPolicy) errors.push(required(`${field}.dnsPolicy`));
  else if (!dnsPolicies.includes(spec.dnsPolicy))
    errors.push(notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, dnsPolicies));
  if (spec.dnsPolicy === "None" && !spec.dnsConfig) {
    errors.push(required(`${field}.dnsConfig`, "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  errors.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  errors.push(...validateTolerations(spec.tolerations, `${field}.tolerations`));
  if (spec.serviceAccountName) {
    for (const message of isDns1123Subdomain(spec.serviceAccountName)) {
      errors.push(invalid(`${field}.serviceAccountName`, spec.serviceAccountName, message));
    }
  }
  if (spec.nodeName) {
    for (const message of isDns1123Subdomain(spec.nodeName))
      errors.push(invalid(`${field}.nodeName`, spec.nodeName, message));
  }
  if (spec.hostname)
    for (const message of isDns1123Label(spec.hostname))
      errors.push(invalid(`${field}.hostname`, spec.hostname, message));
  if (spec.subdomain)
    for (const message of isDns1123Label(spec.subdomain))
      errors.push(invalid(`${field}.subdomain`, spec.subdomain, message));
  if (spec.activeDeadlineSeconds !== undefined) {
    const value = spec.activeDeadlineSeconds;
    if (!Number.isInteger(value) || value < 1 || value > 2147483647) {
      errors.push(invalid(`${field}.activeDeadlineSeconds`, value, "must be between 1 and 2147483647, inclusive"));
    }
  }
  errors.push(...validateNonnegative(spec.terminationGracePeriodSeconds, `${field}.terminationGracePeriodSeconds`));
  if (spec.priorityClassName) {
    for (const message of isDns1123Subdomain(spec.priorityClassName)) {
      errors.push(invalid(`${field}.priorityClassName`, spec.priorityClassName, message));
    }
  }
  if (spec.preemptionPolicy && !["PreemptLowerPriority", "Never"].includes(spec.preemptionPolicy)) {
    errors.push(notSupported(`${field}.preemptionPolicy`, spec.preemptionPolicy, ["Never", "PreemptLowerPriority"]));
  }
  return errors;
}

/** ValidatePodTemplateSpec: template metadata (labels, annotations) and spec. */
export function validatePodTemplateSpec(
  template: PodTemplateSpec | undefined,
  field: string,
  options: PodSpecOptions = {},
): FieldError[] {
  if (!template) return [required(field)];
  const errors: FieldError[] = [];
  errors.push(...validateLabels(template.metadata?.labels, `${field}.metadata.labels`));
  errors.push(...validateAnnotations(template.metadata?.annotations, `${field}.metadata.annotations`));
  errors.push(...validatePodSpec(template.spec, `${field}.spec`, options));
  if (template.spec?.activeDeadlineSeconds !== undefined && options.restartPolicies?.includes("Always")) {
    errors.push(
      forbidden(`${field}.spec.activeDeadlineSeconds`, "activeDeadlineSeconds in ReplicaSet is not Supported"),
    );
  }
  return errors;
}

/**
 * EphemeralContainerCommon's fields an ephemeral container may not set (upstream's
 * allowedEphemeralContainerFields, false entries), in the struct's order: debugging containers
 * are not to be relied on for the pod's service, so no ports, resources, probes or hooks.
 */
const forbiddenEphemeralFields = [
  "ports",
  "resources",
  "resizePolicy",
  "restartPolicy",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
] as const;

/** Go's zero value test of validateFieldAllowList, as the JSON decodes: absent, null, {} or []. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

/**
 * validateEphemeralContainers: each container as any other (name, image, policies, env, mounts),
 * a name unique across every container of the pod, a target that is a regular or init container,
 * none of the forbidden fields and no subPath mounts. `names` holds the other containers' names.
 */
function validateEphemeralContainers(
  spec: PodSpec,
  field: string,
  volumes: Map<string, Volume>,
  names: Set<string>,
): FieldError[] {
  const errors: FieldError[] = [];
  const others = new Set(names);
  (spec.ephemeralContainers ?? []).forEach((container, index) => {
    const path = `${field}[${index}]`;
    errors.push(...validateContainer(container, path, { volumes, init: false, ephemeral: true }));
    if (container.name) {
      if (names.has(container.name)) errors.push(duplicate(`${path}.name`, container.name));
      names.add(container.name);
    }
    const target = container.targetContainerName;
    if (target && !others.has(target)) errors.push(notFound(`${path}.targetContainerName`, target));
    for (const key of forbiddenEphemeralFields) {
      if (isSet(container[key])) errors.push(forbidden(`${path}.${key}`, "cannot be set for an Ephemeral Container"));
    }
    (container.volumeMounts ?? []).forEach((mount, mountIndex) => {
      for (const key of ["subPath", "subPathExpr"] as const) {
        if (mount[key])
          errors.push(
            forbidden(`${path}.volumeMounts[${mountIndex}].${key}`, "cannot be set for an Ephemeral Container"),
          );
      }
    });
  });
  return errors;
}
