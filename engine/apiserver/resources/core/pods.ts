/**
 * core/v1 pods: upstream's pkg/registry/core/pod (strategy, status strategy, GetAttrs) and the
 * printPod table of pkg/printers/internalversion/printers.go.
 */
import type { Container, ContainerStatus, Pod, PodSpec } from "../../../api/core";
import { quantityToMilli } from "../../../api/quantity";
import type { FieldError, ResourceDefinition, TableConvertor } from "../../ResourceDefinition";
import { clone } from "../../registry/objects";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultPodSpec, defaultRequestsFromLimits } from "../support/podDefaults";
import { validatePodSpec } from "../support/podValidation";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { forbidden, invalid, jsonEqual, nameIsDnsSubdomain, validateObjectMeta } from "../support/validation";

/** qos.GetPodQOS: Guaranteed, Burstable or BestEffort from the containers' requests and limits. */
export function podQosClass(spec: PodSpec | undefined): string {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const containers: Container[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  for (const container of containers) {
    for (const [name, value] of Object.entries(container.resources?.requests ?? {})) {
      if (name !== "cpu" && name !== "memory") continue;
      const amount = safeMilli(value);
      if (amount > 0) requests.set(name, (requests.get(name) ?? 0) + amount);
    }
    const containerLimits = new Set<string>();
    for (const [name, value] of Object.entries(container.resources?.limits ?? {})) {
      if (name !== "cpu" && name !== "memory") continue;
      const amount = safeMilli(value);
      if (amount > 0) {
        containerLimits.add(name);
        limits.set(name, (limits.get(name) ?? 0) + amount);
      }
    }
    if (!containerLimits.has("cpu") || !containerLimits.has("memory")) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, amount] of requests) if (limits.get(name) !== amount) guaranteed = false;
    if (guaranteed && requests.size === limits.size) return "Guaranteed";
  }
  return "Burstable";
}

function safeMilli(value: string | number): number {
  try {
    return quantityToMilli(value);
  } catch {
    return 0;
  }
}

/**
 * Defaults of a pod. Priority resolution and the default tolerations are admission's
 * (the registry's Priority and DefaultTolerationSeconds plugins), not defaulting.
 */
function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  defaultPodSpec(pod.spec);
  defaultRequestsFromLimits(pod.spec);
  // SetDefaults_Pod, not SetDefaults_PodSpec: upstream keeps new defaults out of templates so the
  // templates (and their ReplicaSets' pod-template-hash) stay the same across upgrades.
  pod.spec.enableServiceLinks ??= true;
}

function validatePod(pod: Pod): FieldError[] {
  const errors = validateObjectMeta(pod.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validatePodSpec(pod.spec, "spec"));
  // Ephemeral containers are only added later, through the ephemeralcontainers subresource.
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) {
    errors.push(forbidden("spec.ephemeralContainers", "cannot be set on create"));
  }
  return errors;
}

const updatablePodSpecFields = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

/** ValidatePodUpdate: everything in the spec but images, deadlines and new tolerations is immutable. */
function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errors = validatePodSpec(pod.spec, "spec");
  const spec = pod.spec ?? { containers: [] };
  const oldSpec = old.spec ?? { containers: [] };
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > 2147483647) {
      return [
        ...errors,
        invalid("spec.activeDeadlineSeconds", deadline, "must be between 0 and 2147483647, inclusive"),
      ];
    }
    if (oldSpec.activeDeadlineSeconds !== undefined && oldSpec.activeDeadlineSeconds < deadline) {
      return [
        ...errors,
        invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value"),
      ];
    }
  } else if (oldSpec.activeDeadlineSeconds !== undefined) {
    errors.push(invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
  }
  // Compare the spec with the updatable fields taken from the old one: anything left differs illegally.
  const munged: PodSpec = clone(spec);
  const copyImages = (target: Container[] | undefined, source: Container[] | undefined) => {
    if (!target || !source || target.length !== source.length) return;
    target.forEach((container, index) => {
      container.image = source[index].image;
    });
  };
  copyImages(munged.containers, oldSpec.containers);
  copyImages(munged.initContainers, oldSpec.initContainers);
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  const oldTolerations = oldSpec.tolerations ?? [];
  const newTolerations = spec.tolerations ?? [];
  const onlyAdditions = oldTolerations.every((toleration) =>
    newTolerations.some((candidate) =>
      jsonEqual({ ...candidate, tolerationSeconds: undefined }, { ...toleration, tolerationSeconds: undefined }),
    ),
  );
  if (onlyAdditions) munged.tolerations = oldSpec.tolerations;
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (!jsonEqual(munged, oldSpec)) {
    errors.push(
      forbidden(
        "spec",
        `pod updates may not change fields other than ${updatablePodSpecFields.join(",")}\n${specDiff(oldSpec, munged)}`,
      ),
    );
  }
  return errors;
}

/** A compact rendering of what changed, in the spirit of upstream's cmp.Diff in the same message. */
export function specDiff(old: unknown, current: unknown, path = "core.PodSpec"): string {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (jsonEqual(a, b)) return;
    const bothObjects =
      a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
    if (bothObjects) {
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const key of keys) {
        const segment = Array.isArray(a) ? `[${key}]` : `.${key}`;
        walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}${segment}`);
      }
      return;
    }
    lines.push(`- \t${at}: ${JSON.stringify(a ?? null)}`);
    lines.push(`+ \t${at}: ${JSON.stringify(b ?? null)}`);
  };
  walk(old, current, "");
  return `  ${path}{\n${lines.map((line) => line.replace("\t.", "\t")).join("\n")}\n  }\n`;
}

/** upstream's MirrorPodAnnotationKey: the kubelet's mirror of a static pod. */
const mirrorPodAnnotation = "kubernetes.io/config.mirror";

/**
 * dropNonEphemeralContainerUpdates: a write to `pods/ephemeralcontainers` changes only the
 * ephemeral containers; everything else is the stored pod's.
 */
function keepAllButEphemeralContainers(pod: Pod, old: Pod): void {
  const ephemeralContainers = pod.spec?.ephemeralContainers;
  const { name, namespace, resourceVersion, uid } = pod.metadata;
  const kept = clone(old);
  for (const key of Object.keys(pod)) delete (pod as unknown as Record<string, unknown>)[key];
  Object.assign(pod, kept);
  pod.metadata = { ...pod.metadata, name, namespace, resourceVersion, uid };
  const spec: PodSpec = { ...(pod.spec ?? { containers: [] }) };
  if (ephemeralContainers === undefined) delete spec.ephemeralContainers;
  else spec.ephemeralContainers = ephemeralContainers;
  pod.spec = spec;
}

/**
 * ValidatePodEphemeralContainersUpdate: the pod as a whole, then what may change: ephemeral
 * containers are only ever added (matched by name, since a patch does not keep their order).
 */
function validateEphemeralContainersUpdate(pod: Pod, old: Pod): FieldError[] {
  const errors = [
    ...validateObjectMeta(pod.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }),
    ...validatePodSpec(pod.spec, "spec"),
  ];
  if (old.metadata.annotations?.[mirrorPodAnnotation] !== undefined) {
    return [forbidden("", "static pods do not support ephemeral containers")];
  }
  const current = new Map((pod.spec?.ephemeralContainers ?? []).map((container) => [container.name, container]));
  for (const previous of old.spec?.ephemeralContainers ?? []) {
    const now = current.get(previous.name);
    if (!now) {
      errors.push(
        forbidden("spec.ephemeralContainers", `existing ephemeral containers "${previous.name}" may not be removed\n`),
      );
    } else if (!jsonEqual(previous, now)) {
      errors.push(
        forbidden(
          "spec.ephemeralContainers",
          `existing ephemeral containers "${previous.name}" may not be changed\n${specDiff(previous, now, "core.EphemeralContainer")}`,
        ),
      );
    }
  }
  return errors;
}

function isRestartableInitContainer(container: Container | undefined): boolean {
  return container?.restartPolicy === "Always";
}

function laterTimestamp(current: string | undefined, candidate: string | null | undefined): string | undefined {
  if (!candidate) return current;
  if (!current) return candidate;
  return Date.parse(candidate) > Date.parse(current) ? candidate : current;
}

/** printPod: the READY, STATUS and RESTARTS cells and the wide ones, as upstream computes them. */
export function podRow(pod: Pod, now: number): Array<string | number | boolean | null> {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = spec.containers?.length ?? 0;
  let readyContainers = 0;
  let lastRestartDate: string | undefined;
  let lastRestartableInitContainerRestartDate: string | undefined;
  const podPhase = status.phase ?? "";
  let reason: string = status.reason || podPhase;

  for (const condition of status.conditions ?? []) {
    if (condition.type === "PodScheduled" && condition.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  const initContainers = new Map<string, Container>();
  for (const container of spec.initContainers ?? []) {
    initContainers.set(container.name, container);
    if (isRestartableInitContainer(container)) totalContainers++;
  }

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let index = 0; index < initStatuses.length; index++) {
    const container = initStatuses[index];
    restarts += container.restartCount ?? 0;
    const lastTerminated = container.lastState?.terminated;
    if (lastTerminated) lastRestartDate = laterTimestamp(lastRestartDate, lastTerminated.finishedAt);
    const restartable = isRestartableInitContainer(initContainers.get(container.name));
    if (restartable) {
      restartableInitContainerRestarts += container.restartCount ?? 0;
      if (lastTerminated) {
        lastRestartableInitContainerRestartDate = laterTimestamp(
          lastRestartableInitContainerRestartDate,
          lastTerminated.finishedAt,
        );
      }
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (restartable && container.started === true) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${index}/${spec.initContainers?.length ?? 0}`;
    }
    initializing = true;
    break;
  }

  const initializedConditionTrue = (status.conditions ?? []).some(
    (condition) => condition.type === "Initialized" && condition.status === "True",
  );
  if (!initializing || initializedConditionTrue) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let index = statuses.length - 1; index >= 0; index--) {
      const container = statuses[index];
      restarts += container.restartCount ?? 0;
      const lastTerminated = container.lastState?.terminated;
      if (lastTerminated) lastRestartDate = laterTimestamp(lastRestartDate, lastTerminated.finishedAt);
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (container.ready && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed but another still runs is Running (or NotReady).
    if (reason === "Completed" && hasRunning) {
      const ready = (status.conditions ?? []).some(
        (condition) => condition.type === "Ready" && condition.status === "True",
      );
      reason = ready ? "Running" : "NotReady";
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && podPhase !== "Succeeded" && podPhase !== "Failed") reason = "Terminating";

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestartDate)
    restartsText = `${restarts} (${translateTimestampSince(lastRestartDate, now)} ago)`;

  const podIP = status.podIPs?.[0]?.ip || "<none>";
  const nodeName = spec.nodeName || "<none>";
  const nominatedNodeName = status.nominatedNodeName || "<none>";
  let readinessGates = "<none>";
  if (spec.readinessGates && spec.readinessGates.length > 0) {
    let trueConditions = 0;
    for (const gate of spec.readinessGates) {
      const condition = (status.conditions ?? []).find((candidate) => candidate.type === gate.conditionType);
      if (condition?.status === "True") trueConditions++;
    }
    readinessGates = `${trueConditions}/${spec.readinessGates.length}`;
  }
  return [
    pod.metadata.name ?? "",
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsText,
    translateTimestampSince(pod.metadata.creationTimestamp, now),
    podIP,
    nodeName,
    nominatedNodeName,
    readinessGates,
  ];
}

export const podTable: TableConvertor<Pod> = {
  columns: [
    nameColumn(),
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    ageColumn(),
    column("IP", "string", ["V1PodStatus", "podIP"], 1),
    column("Node", "string", ["V1PodSpec", "nodeName"], 1),
    column("Nominated Node", "string", ["V1PodStatus", "nominatedNodeName"], 1),
    column("Readiness Gates", "string", ["V1PodSpec", "readinessGates"], 1),
  ],
  cells: podRow,
  rowConditions(pod) {
    if (pod.status?.phase === "Succeeded") {
      return [
        { type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." },
      ];
    }
    if (pod.status?.phase === "Failed") {
      return [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
    }
    return undefined;
  },
};

export const pods: ResourceDefinition<Pod> = {
  group: "",
  versions: ["v1"],
  resource: "pods",
  kind: "Pod",
  singular: "pod",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  storagePrefix: "pods",
  subresources: { status: true },
  strategy: {
    defaults: defaultPod,
    prepareForCreate(pod) {
      pod.status = { phase: "Pending", qosClass: podQosClass(pod.spec) };
      if (pod.spec?.schedulingGates && pod.spec.schedulingGates.length > 0) {
        pod.status.conditions = [
          {
            type: "PodScheduled",
            status: "False",
            lastProbeTime: null,
            lastTransitionTime: null,
            reason: "SchedulingGated",
            message: "Scheduling is blocked due to non-empty scheduling gates",
          },
        ];
      }
    },
    prepareForUpdate(pod, old) {
      if (old.status === undefined) delete pod.status;
      else pod.status = clone(old.status);
    },
    validate: validatePod,
    validateUpdate: (pod, old) => [
      ...validateObjectMeta(pod.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }),
      ...validatePodUpdate(pod, old),
    ],
    ephemeralContainers: {
      prepareForUpdate: keepAllButEphemeralContainers,
      validateUpdate: validateEphemeralContainersUpdate,
    },
    status: {
      prepareForUpdate(pod, old) {
        pod.spec = clone(old.spec);
        if (old.metadata.deletionTimestamp === undefined) delete pod.metadata.deletionTimestamp;
        pod.metadata.ownerReferences = clone(old.metadata.ownerReferences);
        if (pod.metadata.ownerReferences === undefined) delete pod.metadata.ownerReferences;
      },
      validateUpdate(pod) {
        const errors: FieldError[] = [];
        const phases = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];
        if (pod.status?.phase && !phases.includes(pod.status.phase)) {
          errors.push({
            type: "FieldValueNotSupported",
            field: "status.phase",
            badValue: pod.status.phase,
            supportedValues: phases,
          });
        }
        return errors;
      },
    },
  },
  table: podTable,
  selectableFields: {
    "spec.nodeName": (pod) => pod.spec?.nodeName ?? "",
    "spec.restartPolicy": (pod) => pod.spec?.restartPolicy ?? "",
    "spec.schedulerName": (pod) => pod.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (pod) => pod.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (pod) => String(pod.spec?.hostNetwork === true),
    "status.phase": (pod) => pod.status?.phase ?? "",
    "status.podIP": (pod) => pod.status?.podIPs?.[0]?.ip ?? "",
    "status.nominatedNodeName": (pod) => pod.status?.nominatedNodeName ?? "",
  },
  // Upstream's pod storage: TriggerFunc {"spec.nodeName": NodeNameTriggerFunc} (each kubelet's watch).
  watchTriggers: ["spec.nodeName"],
  schema: kindSchema("", "v1", "Pod"),
  schemaComponents,
};
