import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import type { AdmissionAttributes, AdmissionPlugin } from "./Admission";

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

function isPodCreate(attributes: AdmissionAttributes): attributes is AdmissionAttributes & { object: KubeObject } {
  return (
    attributes.operation === "CREATE" &&
    !attributes.subresource &&
    attributes.definition.group === "" &&
    attributes.definition.resource === "pods" &&
    !!attributes.object
  );
}

function isMirrorPod(pod: KubeObject): boolean {
  return !!pod.metadata.annotations?.["kubernetes.io/config.mirror"];
}

/**
 * ServiceAccount admission: a pod runs as `default` unless it names an account, the account must
 * exist, and (unless automounting is off) every container gets the projected `kube-api-access-*`
 * volume with the token, the cluster CA and the namespace, mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount. Mirror pods are left alone.
 */
export const serviceAccountAdmission: AdmissionPlugin = {
  name: "ServiceAccount",
  admit(attributes, context) {
    if (!isPodCreate(attributes)) return;
    const pod = attributes.object;
    if (isMirrorPod(pod)) return;
    pod.spec = pod.spec ?? {};
    const spec = pod.spec;
    if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || "default";
    const account = context.get("", "serviceaccounts", attributes.namespace, spec.serviceAccountName);
    if (!account) {
      throw ApiError.forbidden(
        "",
        "pods",
        attributes.name,
        `error looking up service account ${attributes.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`,
      );
    }
    if (!spec.imagePullSecrets?.length && account.imagePullSecrets?.length) {
      spec.imagePullSecrets = account.imagePullSecrets.map((secret: { name: string }) => ({ name: secret.name }));
    }
    const automount = spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
    if (!automount) return;
    const containers: Array<
      Record<string, unknown> & { volumeMounts?: Array<Record<string, unknown> & { mountPath: string }> }
    > = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const alreadyMounted = containers.some((container) =>
      (container.volumeMounts ?? []).some((mount) => mount.mountPath === TOKEN_MOUNT_PATH),
    );
    if (alreadyMounted) return;
    let suffix = "";
    for (let index = 0; index < 5; index++)
      suffix += NAME_ALPHABET[Math.floor(context.random() * NAME_ALPHABET.length)];
    const volumeName = `kube-api-access-${suffix}`;
    spec.volumes = [
      ...(spec.volumes ?? []),
      {
        name: volumeName,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            {
              downwardAPI: {
                items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
              },
            },
          ],
        },
      },
    ];
    for (const container of containers) {
      container.volumeMounts = [
        ...(container.volumeMounts ?? []),
        { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH },
      ];
    }
  },
};

const DEFAULT_TOLERATIONS = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

/** DefaultTolerationSeconds: pods tolerate not-ready and unreachable nodes for 300 s unless they say otherwise. */
export const defaultTolerationSeconds: AdmissionPlugin = {
  name: "DefaultTolerationSeconds",
  admit(attributes) {
    if (!isPodCreate(attributes)) return;
    const pod = attributes.object;
    pod.spec = pod.spec ?? {};
    const tolerations: Array<{ key?: string; operator?: string; effect?: string }> = pod.spec.tolerations ?? [];
    const tolerates = (key: string) =>
      tolerations.some(
        (toleration) =>
          (toleration.effect === "NoExecute" || !toleration.effect) &&
          ((toleration.operator === "Exists" && !toleration.key) || toleration.key === key),
      );
    const added = DEFAULT_TOLERATIONS.filter((toleration) => !tolerates(toleration.key)).map((toleration) => ({
      ...toleration,
    }));
    if (added.length > 0) pod.spec.tolerations = [...tolerations, ...added];
  },
};

/**
 * Priority admission: resolves spec.priorityClassName to spec.priority (and preemptionPolicy),
 * using the global default class or 0 when none is named.
 */
export const priorityAdmission: AdmissionPlugin = {
  name: "Priority",
  admit(attributes, context) {
    if (!isPodCreate(attributes)) return;
    const pod = attributes.object;
    pod.spec = pod.spec ?? {};
    const spec = pod.spec;
    let priority = 0;
    let preemptionPolicy: string | undefined;
    if (spec.priorityClassName) {
      const priorityClass = context.get("scheduling.k8s.io", "priorityclasses", undefined, spec.priorityClassName);
      if (!priorityClass) {
        throw ApiError.forbidden(
          "",
          "pods",
          attributes.name,
          `no PriorityClass with name ${spec.priorityClassName} was found`,
        );
      }
      priority = priorityClass.value ?? 0;
      preemptionPolicy = priorityClass.preemptionPolicy;
    } else {
      const globalDefault = context
        .list("scheduling.k8s.io", "priorityclasses", undefined)
        .filter((candidate) => candidate.globalDefault)
        .sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
      if (globalDefault) {
        spec.priorityClassName = globalDefault.metadata.name;
        priority = globalDefault.value ?? 0;
        preemptionPolicy = globalDefault.preemptionPolicy;
      }
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
      throw ApiError.forbidden(
        "",
        "pods",
        attributes.name,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      );
    }
    spec.priority = priority;
    if (!spec.preemptionPolicy) spec.preemptionPolicy = preemptionPolicy ?? "PreemptLowerPriority";
  },
};
