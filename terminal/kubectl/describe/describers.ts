import type { KubeObject } from "../commands/common";
import { resourcePath } from "../Discovery";
import { goSort } from "../goSort";
import { describeCertificateSigningRequest } from "./certificates";
import { type Any, type DescribeContext, describeEvents, searchEvents } from "./context";
import {
  DescribeWriter,
  formatLabelMap,
  formatSelector,
  printAnnotations,
  printLabels,
  rfc1123z,
  since,
} from "./format";
import { describeGeneric } from "./generic";
import { describeEndpointSlice, describeIngressClass, describeNetworkPolicy } from "./networking";
import { addQuantities, formatQuantity, parseQuantity } from "./quantity";
import { describeLimitRange, describeLimitRanges, describeResourceQuota, describeResourceQuotas } from "./quotas";
import { describePodDisruptionBudget, describePriorityClass } from "./scheduling";
import { describeStorageClass } from "./storage";

function controllerOf(object: KubeObject): string {
  const owner = object.metadata?.ownerReferences?.find((reference) => reference.controller);
  return owner ? `${owner.kind}/${owner.name}` : "";
}

function describeProbe(probe: Any): string {
  const attrs = `delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 1}s period=${probe.periodSeconds ?? 10}s #success=${probe.successThreshold ?? 1} #failure=${probe.failureThreshold ?? 3}`;
  if (probe.exec) return `exec [${(probe.exec.command ?? []).join(" ")}] ${attrs}`;
  if (probe.httpGet) {
    const scheme = String(probe.httpGet.scheme ?? "HTTP").toLowerCase();
    const host = probe.httpGet.host ?? "";
    const port = probe.httpGet.port ?? "";
    return `http-get ${scheme}://${host}:${port}${probe.httpGet.path ?? ""} ${attrs}`;
  }
  if (probe.tcpSocket) return `tcp-socket ${probe.tcpSocket.host ?? ""}:${probe.tcpSocket.port} ${attrs}`;
  if (probe.grpc) return `grpc <pod>:${probe.grpc.port} ${probe.grpc.service ?? ""} ${attrs}`;
  return `unknown ${attrs}`;
}

const standardResourceOrder = ["cpu", "memory", "ephemeral-storage"];

function sortedResourceNames(list: Record<string, string> | undefined): string[] {
  void standardResourceOrder;
  return Object.keys(list ?? {}).sort();
}

function describeResources(w: DescribeWriter, resources: Any, level: number): void {
  if (!resources) return;
  if (Object.keys(resources.limits ?? {}).length > 0) w.write(level, "Limits:\n");
  for (const name of sortedResourceNames(resources.limits))
    w.write(level + 1, `${name}:\t${formatQuantity(parseQuantity(resources.limits[name]))}\n`);
  if (Object.keys(resources.requests ?? {}).length > 0) w.write(level, "Requests:\n");
  for (const name of sortedResourceNames(resources.requests))
    w.write(level + 1, `${name}:\t${formatQuantity(parseQuantity(resources.requests[name]))}\n`);
}

function describeState(w: DescribeWriter, title: string, state: Any): void {
  if (state?.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.waiting) {
    w.write(2, `${title}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated) {
    const terminated = state.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (terminated.reason) w.write(3, `Reason:\t${terminated.reason}\n`);
    if (terminated.message) w.write(3, `Message:\t${terminated.message}\n`);
    w.write(3, `Exit Code:\t${terminated.exitCode ?? 0}\n`);
    if ((terminated.signal ?? 0) > 0) w.write(3, `Signal:\t${terminated.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(terminated.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(terminated.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
  }
}

function describeContainers(
  w: DescribeWriter,
  label: string,
  containers: Any[],
  statuses: Any[] | undefined,
  space: string,
  pod?: KubeObject,
): void {
  const byName = new Map<string, Any>((statuses ?? []).map((status: Any) => [status.name, status]));
  w.write(0, `${space}${label}:${containers.length === 0 ? " <none>" : ""}\n`);
  for (const container of containers) {
    const status = byName.get(container.name);
    const nameIndent = space.length > 0 ? " " : "";
    w.write(1, `${nameIndent}${container.name}:\n`);
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ""}\n`);
    w.write(2, `Image:\t${container.image ?? ""}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID ?? ""}\n`);
    const ports = (container.ports ?? [])
      .map((port: Any) => `${port.containerPort}/${port.protocol ?? "TCP"}`)
      .join(", ");
    if (ports.includes(",")) w.write(2, `Ports:\t${ports}\n`);
    else w.write(2, `Port:\t${ports || "<none>"}\n`);
    const hostPorts = (container.ports ?? [])
      .map((port: Any) => `${port.hostPort ?? 0}/${port.protocol ?? "TCP"}`)
      .join(", ");
    if (hostPorts.includes(",")) w.write(2, `Host Ports:\t${hostPorts}\n`);
    else w.write(2, `Host Port:\t${hostPorts || "<none>"}\n`);
    if (container.command?.length) {
      w.write(2, "Command:\n");
      for (const part of container.command) for (const line of String(part).split("\n")) w.write(3, `${line}\n`);
    }
    if (container.args?.length) {
      w.write(2, "Args:\n");
      for (const part of container.args) for (const line of String(part).split("\n")) w.write(3, `${line}\n`);
    }
    if (status) {
      describeState(w, "State", status.state);
      if (status.lastState?.terminated) describeState(w, "Last State", status.lastState);
      w.write(2, `Ready:\t${status.ready ? "True" : "False"}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    describeResources(w, container.resources, 2);
    if (container.livenessProbe) w.write(2, `Liveness:\t${describeProbe(container.livenessProbe)}\n`);
    if (container.readinessProbe) w.write(2, `Readiness:\t${describeProbe(container.readinessProbe)}\n`);
    if (container.startupProbe) w.write(2, `Startup:\t${describeProbe(container.startupProbe)}\n`);
    if (container.envFrom?.length) {
      w.write(2, "Environment Variables from:\n");
      for (const source of container.envFrom) {
        const from = source.configMapRef ? "ConfigMap" : "Secret";
        const ref = source.configMapRef ?? source.secretRef ?? {};
        const optional = ref.optional === true;
        if (source.prefix) w.write(3, `${ref.name}\t${from} with prefix '${source.prefix}'\tOptional: ${optional}\n`);
        else w.write(3, `${ref.name}\t${from}\tOptional: ${optional}\n`);
      }
    }
    w.write(2, `Environment:${container.env?.length ? "" : "\t<none>"}\n`);
    for (const env of container.env ?? []) {
      if (!env.valueFrom) {
        String(env.value ?? "")
          .split("\n")
          .forEach((line, index) => {
            w.write(3, index === 0 ? `${env.name}:\t${line}\n` : `\t${line}\n`);
          });
        continue;
      }
      const from = env.valueFrom;
      if (from.fieldRef) {
        const value = pod ? fieldPathValue(pod, from.fieldRef.fieldPath) : "";
        w.write(3, `${env.name}:\t${value} (${from.fieldRef.apiVersion ?? "v1"}:${from.fieldRef.fieldPath})\n`);
      } else if (from.resourceFieldRef) {
        w.write(3, `${env.name}:\t (${from.resourceFieldRef.resource})\n`);
      } else if (from.secretKeyRef) {
        w.write(
          3,
          `${env.name}:\t<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>\tOptional: ${from.secretKeyRef.optional === true}\n`,
        );
      } else if (from.configMapKeyRef) {
        w.write(
          3,
          `${env.name}:\t<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>\tOptional: ${from.configMapKeyRef.optional === true}\n`,
        );
      }
    }
    // SortableVolumeMounts, with sort.Sort.
    const mounts = goSort([...(container.volumeMounts ?? [])], (a: Any, b: Any) => a.mountPath < b.mountPath);
    w.write(2, `Mounts:${mounts.length === 0 ? "\t<none>" : ""}\n`);
    for (const mount of mounts) {
      const flags = [mount.readOnly ? "ro" : "rw"];
      if (mount.subPath) flags.push(`path=${JSON.stringify(mount.subPath)}`);
      w.write(3, `${mount.mountPath} from ${mount.name} (${flags.join(",")})\n`);
    }
  }
}

function fieldPathValue(pod: KubeObject, path: string): string {
  const annotationMatch = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (annotationMatch)
    return String((pod.metadata as Any)?.[annotationMatch[1] as string]?.[annotationMatch[2] as string] ?? "");
  let current: Any = pod;
  for (const part of path.split(".")) current = current?.[part];
  return current === undefined ? "" : String(current);
}

function describeVolumes(w: DescribeWriter, volumes: Any[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const volume of volumes) {
    w.write(1, `${space.length > 0 ? " " : ""}${volume.name}:\n`);
    if (volume.hostPath) {
      w.write(
        2,
        `Type:\tHostPath (bare host directory volume)\n    Path:\t${volume.hostPath.path}\n    HostPathType:\t${volume.hostPath.type ?? ""}\n`,
      );
    } else if (volume.emptyDir) {
      const sizeLimit = volume.emptyDir.sizeLimit
        ? formatQuantity(parseQuantity(volume.emptyDir.sizeLimit))
        : "<unset>";
      w.write(
        2,
        `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${volume.emptyDir.medium ?? ""}\n    SizeLimit:\t${sizeLimit}\n`,
      );
    } else if (volume.secret) {
      w.write(
        2,
        `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${volume.secret.secretName ?? ""}\n    Optional:\t${volume.secret.optional === true}\n`,
      );
    } else if (volume.configMap) {
      w.write(
        2,
        `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${volume.configMap.name ?? ""}\n    Optional:\t${volume.configMap.optional === true}\n`,
      );
    } else if (volume.persistentVolumeClaim) {
      w.write(
        2,
        `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${volume.persistentVolumeClaim.claimName}\n    ReadOnly:\t${volume.persistentVolumeClaim.readOnly === true}\n`,
      );
    } else if (volume.projected) {
      w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
      for (const source of volume.projected.sources ?? []) {
        if (source.secret)
          w.write(
            2,
            `SecretName:\t${source.secret.name}\n    SecretOptionalName:\t${source.secret.optional ?? "<nil>"}\n`,
          );
        else if (source.downwardAPI) w.write(2, "DownwardAPI:\ttrue\n");
        else if (source.configMap)
          w.write(
            2,
            `ConfigMapName:\t${source.configMap.name}\n    ConfigMapOptional:\t${source.configMap.optional ?? "<nil>"}\n`,
          );
        else if (source.serviceAccountToken)
          w.write(2, `TokenExpirationSeconds:\t${source.serviceAccountToken.expirationSeconds ?? 3607}\n`);
      }
    } else if (volume.downwardAPI) {
      w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
      for (const item of volume.downwardAPI.items ?? []) {
        if (item.fieldRef) w.write(3, `${item.fieldRef.fieldPath} -> ${item.path}\n`);
        else if (item.resourceFieldRef) w.write(3, `${item.resourceFieldRef.resource} -> ${item.path}\n`);
      }
    } else if (volume.nfs) {
      w.write(
        2,
        `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${volume.nfs.server}\n    Path:\t${volume.nfs.path}\n    ReadOnly:\t${volume.nfs.readOnly === true}\n`,
      );
    } else {
      w.write(1, "<unknown>\n");
    }
  }
}

function printTolerations(w: DescribeWriter, title: string, tolerations: Any[] | undefined, initialIndent = ""): void {
  w.write(0, `${initialIndent}${title}:\t`);
  if (!tolerations || tolerations.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  // sort.Slice by key, as printTolerationsMultilineWithIndent does.
  goSort([...tolerations], (a, b) => (a.key ?? "") < (b.key ?? "")).forEach((toleration, index) => {
    if (index !== 0) w.write(0, `${initialIndent}\t`);
    let text = toleration.key ?? "";
    if (toleration.value) text += `=${toleration.value}`;
    if (toleration.effect) text += `:${toleration.effect}`;
    if (toleration.operator === "Exists" && !toleration.value)
      text += toleration.key || toleration.effect ? " op=Exists" : "op=Exists";
    if (toleration.tolerationSeconds !== undefined && toleration.tolerationSeconds !== null)
      text += ` for ${toleration.tolerationSeconds}s`;
    w.write(0, `${text}\n`);
  });
}

function printTaints(w: DescribeWriter, title: string, taints: Any[] | undefined): void {
  w.write(0, `${title}:\t`);
  if (!taints || taints.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  // sort.Slice by "effect,key", as printTaintsMultilineWithIndent does.
  const order = (taint: Any) => `${taint.effect ?? ""},${taint.key ?? ""}`;
  goSort([...taints], (a, b) => order(a) < order(b)).forEach((taint, index) => {
    if (index !== 0) w.write(0, "\t");
    w.write(0, `${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}\n`);
  });
}

function qosClass(pod: KubeObject): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers: Any[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const container of containers) {
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const name of ["cpu", "memory"]) {
      if (limits[name] === undefined) guaranteed = false;
      else if (
        requests[name] !== undefined &&
        parseQuantity(requests[name]).value !== parseQuantity(limits[name]).value
      )
        guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

function describePodTemplate(w: DescribeWriter, template: Any): void {
  w.write(0, "Pod Template:\n");
  if (!template) {
    w.write(1, "<unset>");
    return;
  }
  printLabels(w, "  Labels", template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0)
    printAnnotations(w, "  Annotations", template.metadata?.annotations);
  if (template.spec?.serviceAccountName) w.write(1, `Service Account:\t${template.spec.serviceAccountName}\n`);
  if (template.spec?.initContainers?.length)
    describeContainers(w, "Init Containers", template.spec.initContainers, undefined, "  ");
  describeContainers(w, "Containers", template.spec?.containers ?? [], undefined, "  ");
  describeVolumes(w, template.spec?.volumes, "  ");
  if (template.spec?.priorityClassName) w.write(1, `Priority Class Name:\t${template.spec.priorityClassName}\n`);
  printLabels(w, "  Node-Selectors", template.spec?.nodeSelector);
  printTolerations(w, "Tolerations", template.spec?.tolerations, "  ");
}

/** The `Pods Status:` line of a workload controller's description, counting the pods it controls. */
async function podsStatusLine(context: DescribeContext, owner: KubeObject): Promise<string> {
  const [running, waiting, succeeded, failed] = await podStatusesFor(
    context,
    String(owner.metadata?.namespace),
    selectorQuery(owner.spec?.selector),
    owner.metadata?.uid,
  );
  return `Pods Status:\t${running} Running / ${waiting} Waiting / ${succeeded} Succeeded / ${failed} Failed\n`;
}

async function podStatusesFor(
  context: DescribeContext,
  namespace: string,
  selector: string,
  uid: string | undefined,
): Promise<[number, number, number, number]> {
  const pods = await context.client.get<{ items: Any[] }>(`/api/v1/namespaces/${namespace}/pods`, {
    query: { labelSelector: selector },
  });
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const pod of pods.items) {
    const owner = (pod.metadata?.ownerReferences ?? []).find((reference: Any) => reference.controller);
    if (uid && owner && owner.uid !== uid) continue;
    switch (pod.status?.phase) {
      case "Running":
        running++;
        break;
      case "Pending":
        waiting++;
        break;
      case "Succeeded":
        succeeded++;
        break;
      case "Failed":
        failed++;
        break;
    }
  }
  return [running, waiting, succeeded, failed];
}

function selectorQuery(selector: Any): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) parts.push(`${key}=${value}`);
  for (const expression of selector?.matchExpressions ?? []) {
    const values = (expression.values ?? []).join(",");
    if (expression.operator === "In") parts.push(`${expression.key} in (${values})`);
    else if (expression.operator === "NotIn") parts.push(`${expression.key} notin (${values})`);
    else if (expression.operator === "Exists") parts.push(expression.key);
    else if (expression.operator === "DoesNotExist") parts.push(`!${expression.key}`);
  }
  return parts.join(",");
}

async function describePod(context: DescribeContext, pod: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  w.write(0, `Name:\t${pod.metadata?.name}\n`);
  w.write(0, `Namespace:\t${pod.metadata?.namespace}\n`);
  if (spec.priority !== undefined && spec.priority !== null) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ""}\n` : "Node:\t<none>\n");
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabels(w, "Labels", pod.metadata?.labels);
  printAnnotations(w, "Annotations", pod.metadata?.annotations);
  if (pod.metadata?.deletionTimestamp && status.phase !== "Failed" && status.phase !== "Succeeded") {
    w.write(0, `Status:\tTerminating (lasts ${since(pod.metadata.deletionTimestamp, context.now)})\n`);
    w.write(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ""}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  if (spec.securityContext?.seccompProfile)
    w.write(0, `SeccompProfile:\t${spec.securityContext.seccompProfile.type}\n`);
  w.write(0, `IP:\t${status.podIP ?? ""}\n`);
  if (!status.podIPs || status.podIPs.length === 0) w.write(0, "IPs:\t<none>\n");
  else {
    w.write(0, "IPs:\n");
    for (const ip of status.podIPs) w.write(1, `IP:\t${ip.ip}\n`);
  }
  const controlledBy = controllerOf(pod);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (spec.initContainers?.length)
    describeContainers(w, "Init Containers", spec.initContainers, status.initContainerStatuses, "", pod);
  describeContainers(w, "Containers", spec.containers ?? [], status.containerStatuses, "", pod);
  if (spec.readinessGates?.length) {
    w.write(0, "Readiness Gates:\n  Type\tStatus\n");
    for (const gate of spec.readinessGates) {
      const condition = (status.conditions ?? []).find((c: Any) => c.type === gate.conditionType);
      w.write(1, `${gate.conditionType} \t${condition ? condition.status : "<none>"} \n`);
    }
  }
  if (status.conditions?.length) {
    w.write(0, "Conditions:\n  Type\tStatus\n");
    for (const condition of status.conditions) w.write(1, `${condition.type} \t${condition.status} \n`);
  }
  describeVolumes(w, spec.volumes, "");
  w.write(0, `QoS Class:\t${qosClass(pod)}\n`);
  printLabels(w, "Node-Selectors", spec.nodeSelector);
  printTolerations(w, "Tolerations", spec.tolerations);
  if (spec.topologySpreadConstraints?.length) {
    w.write(0, "Topology Spread Constraints:\t");
    goSort([...spec.topologySpreadConstraints], (a: Any, b: Any) => a.topologyKey < b.topologyKey).forEach(
      (constraint: Any, index: number) => {
        if (index !== 0) w.write(0, "\t");
        let text = `${constraint.topologyKey}:${constraint.whenUnsatisfiable} when max skew ${constraint.maxSkew} is exceeded`;
        if (constraint.labelSelector) text += ` for selector ${formatSelector(constraint.labelSelector)}`;
        w.write(0, `${text}\n`);
      },
    );
  }
  // PodDescriber searches with no kind, and a mirror pod's events by the static pod's UID (the
  // kubelet records them against it, kept in the kubernetes.io/config.mirror annotation).
  const mirrorUid = pod.metadata?.annotations?.["kubernetes.io/config.mirror"];
  describeEvents(w, await searchEvents(context, pod, "", mirrorUid), context.now);
  return w.toString();
}

function describeReplicaSetsByLabels(sets: KubeObject[]): string {
  if (sets.length === 0) return "<none>";
  return sets
    .map((set) => `${set.metadata?.name} (${set.status?.replicas ?? 0}/${set.spec?.replicas ?? 0} replicas created)`)
    .join(", ");
}

function templateEqual(a: Any, b: Any): boolean {
  const strip = (template: Any) => {
    const copy = structuredClone(template ?? {});
    if (copy.metadata?.labels) delete copy.metadata.labels["pod-template-hash"];
    return JSON.stringify(sortDeep(copy));
  };
  return strip(a) === strip(b);
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sortDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

async function describeDeployment(context: DescribeContext, deployment: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = deployment.spec ?? {};
  const status = deployment.status ?? {};
  const namespace = String(deployment.metadata?.namespace);
  w.write(0, `Name:\t${deployment.metadata?.name}\n`);
  w.write(0, `Namespace:\t${namespace}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(deployment.metadata?.creationTimestamp)}\n`);
  printLabels(w, "Labels", deployment.metadata?.labels);
  printAnnotations(w, "Annotations", deployment.metadata?.annotations);
  w.write(0, `Selector:\t${formatSelector(spec.selector)}\n`);
  w.write(
    0,
    `Replicas:\t${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`,
  );
  w.write(0, `StrategyType:\t${spec.strategy?.type ?? ""}\n`);
  w.write(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  if (spec.strategy?.rollingUpdate) {
    w.write(
      0,
      `RollingUpdateStrategy:\t${spec.strategy.rollingUpdate.maxUnavailable} max unavailable, ${spec.strategy.rollingUpdate.maxSurge} max surge\n`,
    );
  }
  describePodTemplate(w, spec.template);
  if (status.conditions?.length) {
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for (const condition of status.conditions)
      w.write(1, `${condition.type} \t${condition.status}\t${condition.reason ?? ""}\n`);
  }
  const sets = await context.client.get<{ items: KubeObject[] }>(`/apis/apps/v1/namespaces/${namespace}/replicasets`, {
    query: { labelSelector: selectorQuery(spec.selector) },
  });
  const owned = sets.items.filter((set) =>
    set.metadata?.ownerReferences?.some(
      (reference) => reference.uid === deployment.metadata?.uid && reference.controller,
    ),
  );
  // FindNewReplicaSet sorts the list with controller.ReplicaSetsByCreationTimestamp (oldest first,
  // then by name), and FindOldReplicaSets walks it in that order.
  const created = (set: KubeObject) => new Date(set.metadata?.creationTimestamp ?? 0).getTime();
  goSort(owned, (a, b) =>
    created(a) === created(b) ? (a.metadata?.name ?? "") < (b.metadata?.name ?? "") : created(a) < created(b),
  );
  const newSet = owned.find((set) => templateEqual(set.spec?.template, spec.template));
  const oldSets = owned.filter((set) => set !== newSet && (set.spec?.replicas ?? 0) > 0);
  if (oldSets.length > 0 || newSet) {
    w.write(0, `OldReplicaSets:\t${describeReplicaSetsByLabels(oldSets)}\n`);
    w.write(0, `NewReplicaSet:\t${describeReplicaSetsByLabels(newSet ? [newSet] : [])}\n`);
  }
  describeEvents(w, await searchEvents(context, deployment), context.now);
  return w.toString();
}

async function describeReplicaSet(context: DescribeContext, set: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const namespace = String(set.metadata?.namespace);
  const podsStatus = await podsStatusLine(context, set);
  w.write(0, `Name:\t${set.metadata?.name}\n`);
  w.write(0, `Namespace:\t${namespace}\n`);
  w.write(0, `Selector:\t${formatSelector(set.spec?.selector)}\n`);
  printLabels(w, "Labels", set.metadata?.labels);
  printAnnotations(w, "Annotations", set.metadata?.annotations);
  const controlledBy = controllerOf(set);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  w.write(0, `Replicas:\t${set.status?.replicas ?? 0} current / ${set.spec?.replicas ?? 1} desired\n`);
  w.write(0, podsStatus);
  describePodTemplate(w, set.spec?.template);
  if (set.status?.conditions?.length) {
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for (const condition of set.status.conditions)
      w.write(1, `${condition.type} \t${condition.status}\t${condition.reason ?? ""}\n`);
  }
  describeEvents(w, await searchEvents(context, set), context.now);
  return w.toString();
}

async function describeDaemonSet(context: DescribeContext, set: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const podsStatus = await podsStatusLine(context, set);
  const status = set.status ?? {};
  w.write(0, `Name:\t${set.metadata?.name}\n`);
  w.write(0, `Selector:\t${formatSelector(set.spec?.selector)}\n`);
  w.write(0, `Node-Selector:\t${formatLabelMap(set.spec?.template?.spec?.nodeSelector)}\n`);
  printLabels(w, "Labels", set.metadata?.labels);
  printAnnotations(w, "Annotations", set.metadata?.annotations);
  w.write(0, `Desired Number of Nodes Scheduled: ${status.desiredNumberScheduled ?? 0}\n`);
  w.write(0, `Current Number of Nodes Scheduled: ${status.currentNumberScheduled ?? 0}\n`);
  w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${status.updatedNumberScheduled ?? 0}\n`);
  w.write(0, `Number of Nodes Scheduled with Available Pods: ${status.numberAvailable ?? 0}\n`);
  w.write(0, `Number of Nodes Misscheduled: ${status.numberMisscheduled ?? 0}\n`);
  w.write(0, podsStatus);
  describePodTemplate(w, set.spec?.template);
  describeEvents(w, await searchEvents(context, set), context.now);
  return w.toString();
}

async function describeStatefulSet(context: DescribeContext, set: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const namespace = String(set.metadata?.namespace);
  const podsStatus = await podsStatusLine(context, set);
  w.write(0, `Name:\t${set.metadata?.name}\n`);
  w.write(0, `Namespace:\t${namespace}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(set.metadata?.creationTimestamp)}\n`);
  w.write(0, `Selector:\t${formatSelector(set.spec?.selector)}\n`);
  printLabels(w, "Labels", set.metadata?.labels);
  printAnnotations(w, "Annotations", set.metadata?.annotations);
  w.write(0, `Replicas:\t${set.spec?.replicas ?? 1} desired | ${set.status?.replicas ?? 0} total\n`);
  w.write(0, `Update Strategy:\t${set.spec?.updateStrategy?.type ?? ""}\n`);
  if (set.spec?.updateStrategy?.rollingUpdate?.partition !== undefined)
    w.write(1, `Partition:\t${set.spec.updateStrategy.rollingUpdate.partition}\n`);
  w.write(0, podsStatus);
  describePodTemplate(w, set.spec?.template);
  const templates: Any[] = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) w.write(0, "Volume Claims:\t<none>\n");
  else {
    w.write(0, "Volume Claims:\n");
    for (const claim of templates) {
      w.write(1, `Name:\t${claim.metadata?.name}\n`);
      w.write(1, `StorageClass:\t${claim.spec?.storageClassName ?? ""}\n`);
      printLabels(w, "Labels", claim.metadata?.labels, "  ");
      printLabels(w, "Annotations", claim.metadata?.annotations, "  ");
      const capacity = claim.spec?.resources?.requests?.storage;
      w.write(1, `Capacity:\t${capacity ? formatQuantity(parseQuantity(capacity)) : "<default>"}\n`);
      w.write(1, `Access Modes:\t[${(claim.spec?.accessModes ?? []).join(" ")}]\n`);
    }
  }
  describeEvents(w, await searchEvents(context, set), context.now);
  return w.toString();
}

async function describeJob(context: DescribeContext, job: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  w.write(0, `Name:\t${job.metadata?.name}\n`);
  w.write(0, `Namespace:\t${job.metadata?.namespace}\n`);
  w.write(0, `Selector:\t${formatSelector(spec.selector)}\n`);
  printLabels(w, "Labels", job.metadata?.labels);
  printAnnotations(w, "Annotations", job.metadata?.annotations);
  const controlledBy = controllerOf(job);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  if (spec.parallelism !== undefined) w.write(0, `Parallelism:\t${spec.parallelism}\n`);
  w.write(
    0,
    spec.completions !== undefined && spec.completions !== null
      ? `Completions:\t${spec.completions}\n`
      : "Completions:\t<unset>\n",
  );
  if (spec.completionMode) w.write(0, `Completion Mode:\t${spec.completionMode}\n`);
  if (spec.suspend !== undefined) w.write(0, `Suspend:\t${spec.suspend}\n`);
  if (spec.backoffLimit !== undefined) w.write(0, `Backoff Limit:\t${spec.backoffLimit}\n`);
  if (spec.ttlSecondsAfterFinished !== undefined)
    w.write(0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  if (status.completionTime) w.write(0, `Completed At:\t${rfc1123z(status.completionTime)}\n`);
  if (status.startTime && status.completionTime) {
    const { humanDuration } = await import("./format");
    w.write(
      0,
      `Duration:\t${humanDuration(new Date(status.completionTime).getTime() - new Date(status.startTime).getTime())}\n`,
    );
  }
  if (spec.activeDeadlineSeconds !== undefined)
    w.write(0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  if (status.ready === undefined)
    w.write(
      0,
      `Pods Statuses:\t${status.active ?? 0} Active / ${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed\n`,
    );
  else
    w.write(
      0,
      `Pods Statuses:\t${status.active ?? 0} Active (${status.ready} Ready) / ${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed\n`,
    );
  if (spec.completionMode === "Indexed") w.write(0, `Completed Indexes:\t${status.completedIndexes || "<none>"}\n`);
  describePodTemplate(w, spec.template);
  describeEvents(w, await searchEvents(context, job), context.now);
  return w.toString();
}

async function describeCronJob(context: DescribeContext, cronJob: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = cronJob.spec ?? {};
  w.write(0, `Name:\t${cronJob.metadata?.name}\n`);
  w.write(0, `Namespace:\t${cronJob.metadata?.namespace}\n`);
  printLabels(w, "Labels", cronJob.metadata?.labels);
  printAnnotations(w, "Annotations", cronJob.metadata?.annotations);
  w.write(0, `Schedule:\t${spec.schedule}\n`);
  w.write(0, `Concurrency Policy:\t${spec.concurrencyPolicy ?? ""}\n`);
  w.write(0, `Suspend:\t${spec.suspend === undefined ? "<unset>" : spec.suspend ? "True" : "False"}\n`);
  w.write(
    0,
    spec.successfulJobsHistoryLimit !== undefined
      ? `Successful Job History Limit:\t${spec.successfulJobsHistoryLimit}\n`
      : "Successful Job History Limit:\t<unset>\n",
  );
  w.write(
    0,
    spec.failedJobsHistoryLimit !== undefined
      ? `Failed Job History Limit:\t${spec.failedJobsHistoryLimit}\n`
      : "Failed Job History Limit:\t<unset>\n",
  );
  w.write(
    0,
    spec.startingDeadlineSeconds !== undefined
      ? `Starting Deadline Seconds:\t${spec.startingDeadlineSeconds}s\n`
      : "Starting Deadline Seconds:\t<unset>\n",
  );
  const jobSpec = spec.jobTemplate?.spec ?? {};
  w.write(0, jobSpec.selector ? `Selector:\t${formatSelector(jobSpec.selector)}\n` : "Selector:\t<unset>\n");
  w.write(0, jobSpec.parallelism !== undefined ? `Parallelism:\t${jobSpec.parallelism}\n` : "Parallelism:\t<unset>\n");
  w.write(0, jobSpec.completions !== undefined ? `Completions:\t${jobSpec.completions}\n` : "Completions:\t<unset>\n");
  if (jobSpec.activeDeadlineSeconds !== undefined)
    w.write(0, `Active Deadline Seconds:\t${jobSpec.activeDeadlineSeconds}s\n`);
  describePodTemplate(w, jobSpec.template);
  w.write(
    0,
    cronJob.status?.lastScheduleTime
      ? `Last Schedule Time:\t${rfc1123z(cronJob.status.lastScheduleTime)}\n`
      : "Last Schedule Time:\t<unset>\n",
  );
  const active: Any[] = cronJob.status?.active ?? [];
  w.write(0, `Active Jobs:\t${active.length === 0 ? "<none>" : active.map((job) => job.name).join(", ")}\n`);
  describeEvents(w, await searchEvents(context, cronJob), context.now);
  return w.toString();
}

async function describeService(context: DescribeContext, service: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = service.spec ?? {};
  const namespace = String(service.metadata?.namespace);
  let slices: Any[] = [];
  try {
    slices = (
      await context.client.get<{ items: Any[] }>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, {
        query: { labelSelector: `kubernetes.io/service-name=${service.metadata?.name}` },
      })
    ).items;
  } catch {
    slices = [];
  }
  w.write(0, `Name:\t${service.metadata?.name}\n`);
  w.write(0, `Namespace:\t${namespace}\n`);
  printLabels(w, "Labels", service.metadata?.labels);
  printAnnotations(w, "Annotations", service.metadata?.annotations);
  w.write(0, `Selector:\t${formatLabelMap(spec.selector)}\n`);
  w.write(0, `Type:\t${spec.type ?? ""}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(",") : "<none>"}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ""}\n`);
  w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(",") : "<none>"}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(",")}\n`);
  if (spec.loadBalancerIP) w.write(0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
  if (spec.externalName) w.write(0, `External Name:\t${spec.externalName}\n`);
  const ingress: Any[] = service.status?.loadBalancer?.ingress ?? [];
  if (ingress.length > 0) {
    w.write(
      0,
      `LoadBalancer Ingress:\t${ingress.map((entry) => (entry.ip ? `${entry.ip}${entry.ipMode ? ` (${entry.ipMode})` : ""}` : entry.hostname)).join(", ")}\n`,
    );
  }
  for (const port of spec.ports ?? []) {
    const name = port.name || "<unset>";
    w.write(0, `Port:\t${name}\t${port.port}/${port.protocol ?? "TCP"}\n`);
    w.write(0, `TargetPort:\t${port.targetPort ?? port.port}/${port.protocol ?? "TCP"}\n`);
    if (port.nodePort) w.write(0, `NodePort:\t${name}\t${port.nodePort}/${port.protocol ?? "TCP"}\n`);
    w.write(0, `Endpoints:\t${formatEndpointSlices(slices, port.name ?? "")}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ""}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (spec.loadBalancerSourceRanges?.length)
    w.write(0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(",")}\n`);
  describeEvents(w, await searchEvents(context, service), context.now);
  return w.toString();
}

/**
 * formatEndpointSlices: up to three ready `ip:port` (an endpoint whose Ready condition is unset
 * counts as ready), then `+ N more...`; `<none>` without slices. As upstream, "more" is decided
 * when a fourth endpoint is met, ready or not.
 */
export function formatEndpointSlices(slices: Any[], portName: string): string {
  if (slices.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  const add = (endpoint: Any, port?: number) => {
    if (list.length === max) more = true;
    if (endpoint.conditions?.ready === false) return;
    const address = String(endpoint.addresses?.[0] ?? "");
    if (!more) list.push(port === undefined ? address : joinHostPort(address, port));
    count++;
  };
  for (const slice of slices) {
    const ports: Any[] = slice.ports ?? [];
    if (ports.length === 0) {
      for (const endpoint of slice.endpoints ?? []) add(endpoint);
      continue;
    }
    for (const port of ports) {
      if ((port.name ?? "") !== portName) continue;
      for (const endpoint of slice.endpoints ?? []) add(endpoint, port.port);
    }
  }
  const text = list.join(",");
  return more ? `${text} + ${count - max} more...` : text;
}

/** net.JoinHostPort: an IPv6 address in brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatEndpoints: up to three `ip:port`, then `+ N more...`; `<none>` when empty. */
function _formatEndpoints(endpoints: Any, portName: string): string {
  const list: string[] = [];
  let count = 0;
  let more = 0;
  for (const subset of endpoints?.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      if (portName !== "" && (port.name ?? "") !== portName) continue;
      if (portName === "" && (subset.ports ?? []).length > 1 && port.name) continue;
      for (const address of subset.addresses ?? []) {
        if (count < 3) list.push(`${address.ip}:${port.port}`);
        else more++;
        count++;
      }
    }
  }
  if (list.length === 0) return "<none>";
  return more > 0 ? `${list.join(",")} + ${more} more...` : list.join(",");
}

async function describeEndpoints(context: DescribeContext, endpoints: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${endpoints.metadata?.name}\n`);
  w.write(0, `Namespace:\t${endpoints.metadata?.namespace}\n`);
  printLabels(w, "Labels", endpoints.metadata?.labels);
  printAnnotations(w, "Annotations", endpoints.metadata?.annotations);
  w.write(0, "Subsets:\n");
  for (const subset of (endpoints as Any).subsets ?? []) {
    w.write(1, `Addresses:\t${(subset.addresses ?? []).map((a: Any) => a.ip).join(",") || "<none>"}\n`);
    w.write(1, `NotReadyAddresses:\t${(subset.notReadyAddresses ?? []).map((a: Any) => a.ip).join(",") || "<none>"}\n`);
    if (subset.ports?.length) {
      w.write(1, "Ports:\n");
      w.write(2, "Name\tPort\tProtocol\n");
      w.write(2, "----\t----\t--------\n");
      for (const port of subset.ports)
        w.write(2, `${port.name || "<unset>"}\t${port.port}\t${port.protocol ?? "TCP"}\n`);
    }
    w.write(0, "\n");
  }
  describeEvents(w, await searchEvents(context, endpoints), context.now);
  return w.toString();
}

async function describeNode(context: DescribeContext, node: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const name = String(node.metadata?.name);
  const status = node.status ?? {};
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((label) => label.startsWith("node-role.kubernetes.io/") || label === "kubernetes.io/role")
    .map((label) =>
      label === "kubernetes.io/role"
        ? (node.metadata?.labels?.[label] as string)
        : label.slice("node-role.kubernetes.io/".length),
    )
    .filter((role) => role !== "")
    .sort();
  w.write(0, `Name:\t${name}\n`);
  w.write(0, `Roles:\t${roles.length > 0 ? roles.join(",") : "<none>"}\n`);
  printLabels(w, "Labels", node.metadata?.labels);
  printAnnotations(w, "Annotations", node.metadata?.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(node.metadata?.creationTimestamp)}\n`);
  printTaints(w, "Taints", node.spec?.taints);
  w.write(0, `Unschedulable:\t${node.spec?.unschedulable === true}\n`);
  try {
    const lease = await context.client.get<Any>(
      `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`,
    );
    w.write(0, "Lease:\n");
    w.write(1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? "<unset>"}\n`);
    w.write(1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : "<unset>"}\n`);
    w.write(1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : "<unset>"}\n`);
  } catch {
    w.write(0, "Lease:\tFailed to get lease\n");
  }
  if (status.conditions?.length) {
    w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const c of status.conditions) {
      w.write(
        1,
        `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}\n`,
      );
    }
  }
  w.write(0, "Addresses:\n");
  for (const address of status.addresses ?? []) w.write(1, `${address.type}:\t${address.address}\n`);
  const printResourceList = (list: Record<string, string>) => {
    for (const resource of sortedResourceNames(list))
      w.write(0, `  ${resource}:\t${formatQuantity(parseQuantity(list[resource]))}\n`);
  };
  if (Object.keys(status.capacity ?? {}).length > 0) {
    w.write(0, "Capacity:\n");
    printResourceList(status.capacity);
  }
  if (Object.keys(status.allocatable ?? {}).length > 0) {
    w.write(0, "Allocatable:\n");
    printResourceList(status.allocatable);
  }
  const info = status.nodeInfo ?? {};
  w.write(0, "System Info:\n");
  w.write(0, `  Machine ID:\t${info.machineID ?? ""}\n`);
  w.write(0, `  System UUID:\t${info.systemUUID ?? ""}\n`);
  w.write(0, `  Boot ID:\t${info.bootID ?? ""}\n`);
  w.write(0, `  Kernel Version:\t${info.kernelVersion ?? ""}\n`);
  w.write(0, `  OS Image:\t${info.osImage ?? ""}\n`);
  w.write(0, `  Operating System:\t${info.operatingSystem ?? ""}\n`);
  w.write(0, `  Architecture:\t${info.architecture ?? ""}\n`);
  w.write(0, `  Container Runtime Version:\t${info.containerRuntimeVersion ?? ""}\n`);
  w.write(0, `  Kubelet Version:\t${info.kubeletVersion ?? ""}\n`);
  w.write(0, `  Kube-Proxy Version:\t${info.kubeProxyVersion ?? ""}\n`);
  if (node.spec?.podCIDR) w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if (node.spec?.podCIDRs?.length) w.write(0, `PodCIDRs:\t${node.spec.podCIDRs.join(",")}\n`);
  if (node.spec?.providerID) w.write(0, `ProviderID:\t${node.spec.providerID}\n`);
  const pods = await context.client.get<{ items: Any[] }>("/api/v1/pods", {
    query: { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` },
  });
  const allocatable: Record<string, string> =
    Object.keys(status.allocatable ?? {}).length > 0 ? status.allocatable : (status.capacity ?? {});
  const cpuAllocatable = parseQuantity(allocatable.cpu).value;
  const memoryAllocatable = parseQuantity(allocatable.memory).value;
  const percent = (value: number, total: number) => (total === 0 ? 0 : Math.trunc((value / total) * 100));
  w.write(0, `Non-terminated Pods:\t(${pods.items.length} in total)\n`);
  w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  const totals = {
    cpuRequests: [] as string[],
    cpuLimits: [] as string[],
    memoryRequests: [] as string[],
    memoryLimits: [] as string[],
    storageRequests: [] as string[],
    storageLimits: [] as string[],
  };
  for (const pod of pods.items) {
    const sum = (kind: "requests" | "limits", resource: string) =>
      addQuantities(
        (pod.spec?.containers ?? []).map(
          (container: Any) =>
            container.resources?.[kind]?.[resource] ??
            (kind === "requests" ? container.resources?.limits?.[resource] : undefined),
        ),
      );
    const cpuRequest = sum("requests", "cpu");
    const cpuLimit = sum("limits", "cpu");
    const memoryRequest = sum("requests", "memory");
    const memoryLimit = sum("limits", "memory");
    totals.cpuRequests.push(formatQuantity(cpuRequest));
    totals.cpuLimits.push(formatQuantity(cpuLimit));
    totals.memoryRequests.push(formatQuantity(memoryRequest));
    totals.memoryLimits.push(formatQuantity(memoryLimit));
    w.write(
      1,
      `${pod.metadata.namespace}\t${pod.metadata.name}\t\t${formatQuantity(cpuRequest)} (${percent(cpuRequest.value, cpuAllocatable)}%)\t${formatQuantity(cpuLimit)} (${percent(cpuLimit.value, cpuAllocatable)}%)\t${formatQuantity(memoryRequest)} (${percent(memoryRequest.value, memoryAllocatable)}%)\t${formatQuantity(memoryLimit)} (${percent(memoryLimit.value, memoryAllocatable)}%)\t${since(pod.metadata.creationTimestamp, context.now)}\n`,
    );
  }
  w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
  w.write(1, "Resource\tRequests\tLimits\n");
  w.write(1, "--------\t--------\t------\n");
  const nonZero = (values: string[]) => values.filter((value) => value !== "0");
  const cpuRequests = addQuantities(nonZero(totals.cpuRequests));
  const cpuLimits = addQuantities(nonZero(totals.cpuLimits));
  const memoryRequests = addQuantities(nonZero(totals.memoryRequests));
  const memoryLimits = addQuantities(nonZero(totals.memoryLimits));
  w.write(
    1,
    `cpu\t${formatQuantity(cpuRequests)} (${percent(cpuRequests.value, cpuAllocatable)}%)\t${formatQuantity(cpuLimits)} (${percent(cpuLimits.value, cpuAllocatable)}%)\n`,
  );
  w.write(
    1,
    `memory\t${formatQuantity(memoryRequests)} (${percent(memoryRequests.value, memoryAllocatable)}%)\t${formatQuantity(memoryLimits)} (${percent(memoryLimits.value, memoryAllocatable)}%)\n`,
  );
  w.write(1, "ephemeral-storage\t0 (0%)\t0 (0%)\n");
  for (const resource of Object.keys(allocatable).sort()) {
    if (["cpu", "memory", "ephemeral-storage", "pods"].includes(resource)) continue;
    w.write(1, `${resource}\t0 (0%)\t0 (0%)\n`);
  }
  describeEvents(
    w,
    await searchEvents(context, { ...node, metadata: { ...node.metadata, namespace: "" } } as KubeObject, "Node"),
    context.now,
  );
  return w.toString();
}

async function describeNamespace(context: DescribeContext, namespace: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const name = String(namespace.metadata?.name);
  w.write(0, `Name:\t${name}\n`);
  printLabels(w, "Labels", namespace.metadata?.labels);
  printAnnotations(w, "Annotations", namespace.metadata?.annotations);
  w.write(0, `Status:\t${namespace.status?.phase ?? ""}\n`);
  const conditions: Any[] = (namespace as Any).status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, "Conditions:\n");
    w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
    w.write(1, "----\t------\t------------------\t------\t-------\n");
    for (const c of conditions)
      w.write(
        1,
        `${c.type ?? ""}\t${c.status ?? ""}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ""}\t${c.message ?? ""}\n`,
      );
  }
  // A server without quotas or limit ranges (NotFound) leaves the section out.
  const quotas = await context.client
    .get<{ items: Any[] }>(`/api/v1/namespaces/${name}/resourcequotas`)
    .catch(() => undefined);
  const limits = await context.client
    .get<{ items: Any[] }>(`/api/v1/namespaces/${name}/limitranges`)
    .catch(() => undefined);
  if (quotas) {
    w.write(0, "\n");
    describeResourceQuotas(w, quotas.items ?? []);
  }
  if (limits) {
    w.write(0, "\n");
    describeLimitRanges(w, limits.items ?? []);
  }
  return w.toString();
}

async function describeConfigMap(context: DescribeContext, configMap: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${configMap.metadata?.name}\n`);
  w.write(0, `Namespace:\t${configMap.metadata?.namespace}\n`);
  printLabels(w, "Labels", configMap.metadata?.labels);
  printAnnotations(w, "Annotations", configMap.metadata?.annotations);
  w.write(0, "\nData\n====\n");
  const data = (configMap as Any).data ?? {};
  for (const key of Object.keys(data).sort()) {
    w.write(0, `${key}:\n----\n`);
    w.write(0, `${data[key]}\n`);
    w.write(0, "\n");
  }
  w.write(0, "\nBinaryData\n====\n");
  const binaryData = (configMap as Any).binaryData ?? {};
  for (const key of Object.keys(binaryData).sort())
    w.write(0, `${key}: ${Buffer.from(binaryData[key], "base64").length} bytes\n`);
  w.write(0, "\n");
  describeEvents(w, await searchEvents(context, configMap), context.now);
  return w.toString();
}

async function describeSecret(_context: DescribeContext, secret: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${secret.metadata?.name}\n`);
  w.write(0, `Namespace:\t${secret.metadata?.namespace}\n`);
  printLabels(w, "Labels", secret.metadata?.labels);
  printAnnotations(w, "Annotations", secret.metadata?.annotations);
  w.write(0, `\nType:\t${(secret as Any).type ?? ""}\n`);
  w.write(0, "\nData\n====\n");
  const data = (secret as Any).data ?? {};
  for (const key of Object.keys(data).sort()) {
    const bytes = Buffer.from(data[key], "base64");
    if (key === "token" && (secret as Any).type === "kubernetes.io/service-account-token")
      w.write(0, `${key}:\t${bytes.toString("utf8")}\n`);
    else w.write(0, `${key}:\t${bytes.length} bytes\n`);
  }
  return w.toString();
}

async function describeServiceAccount(context: DescribeContext, account: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${account.metadata?.name}\n`);
  w.write(0, `Namespace:\t${account.metadata?.namespace}\n`);
  printLabels(w, "Labels", account.metadata?.labels);
  printAnnotations(w, "Annotations", account.metadata?.annotations);
  const pull = ((account as Any).imagePullSecrets ?? []).map((s: Any) => s.name);
  const mount = ((account as Any).secrets ?? []).map((s: Any) => s.name);
  const rows: [string, string[]][] = [
    ["Image pull secrets:", pull],
    ["Mountable secrets: ", mount],
    ["Tokens:            ", []],
  ];
  for (const [header, names] of rows) {
    if (names.length === 0) w.write(0, `${header}\t<none>\n`);
    else {
      names.forEach((name, index) => {
        w.write(0, `${index === 0 ? header : "                   "}\t${name}\n`);
      });
    }
  }
  describeEvents(w, await searchEvents(context, account), context.now);
  return w.toString();
}

async function describePersistentVolumeClaim(context: DescribeContext, claim: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = claim.spec ?? {};
  const status = claim.status ?? {};
  w.write(0, `Name:\t${claim.metadata?.name}\n`);
  w.write(0, `Namespace:\t${claim.metadata?.namespace}\n`);
  w.write(0, `StorageClass:\t${spec.storageClassName ?? ""}\n`);
  w.write(0, `Status:\t${status.phase ?? ""}\n`);
  w.write(0, `Volume:\t${spec.volumeName ?? ""}\n`);
  printLabels(w, "Labels", claim.metadata?.labels);
  printAnnotations(w, "Annotations", claim.metadata?.annotations);
  w.write(0, `Finalizers:\t[${((claim.metadata as Any)?.finalizers ?? []).join(" ")}]\n`);
  const capacity = status.capacity?.storage;
  w.write(0, `Capacity:\t${capacity ? formatQuantity(parseQuantity(capacity)) : ""}\n`);
  w.write(0, `Access Modes:\t${accessModesAsString(status.accessModes)}\n`);
  w.write(0, `VolumeMode:\t${spec.volumeMode ?? "Filesystem"}\n`);
  const pods = await context.client
    .get<{ items: Any[] }>(`/api/v1/namespaces/${claim.metadata?.namespace}/pods`)
    .catch(() => ({ items: [] }));
  const users = pods.items
    .filter((pod) =>
      (pod.spec?.volumes ?? []).some((v: Any) => v.persistentVolumeClaim?.claimName === claim.metadata?.name),
    )
    .map((pod) => pod.metadata.name);
  w.write(0, `Used By:\t${users.length === 0 ? "<none>" : users.join("\n\t")}\n`);
  describeEvents(w, await searchEvents(context, claim), context.now);
  return w.toString();
}

/** storageutil.GetAccessModesAsString: abbreviations, duplicates dropped, in a fixed order. */
export function accessModesAsString(modes: string[] | undefined): string {
  const abbreviations: [string, string][] = [
    ["ReadWriteOnce", "RWO"],
    ["ReadOnlyMany", "ROX"],
    ["ReadWriteMany", "RWX"],
    ["ReadWriteOncePod", "RWOP"],
  ];
  return abbreviations
    .filter(([mode]) => (modes ?? []).includes(mode))
    .map(([, short]) => short)
    .join(",");
}

/** printVolumeNodeAffinity with printNodeSelectorTermsMultilineWithIndent for each required term. */
function printVolumeNodeAffinity(w: DescribeWriter, affinity: Any): void {
  w.write(0, "Node Affinity:\t");
  if (!affinity?.required) {
    w.write(0, "<none>\n");
    return;
  }
  w.write(0, "\n");
  w.write(1, "Required Terms:\t");
  const terms: Any[] = affinity.required.nodeSelectorTerms ?? [];
  if (terms.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  w.write(0, "\n");
  terms.forEach((term, index) => {
    w.write(2, `Term ${index}:\t`);
    const requirements: Any[] = term.matchExpressions ?? [];
    if (requirements.length === 0) {
      w.write(0, "<none>\n");
      return;
    }
    requirements.forEach((requirement, i) => {
      if (i !== 0) w.write(2, "\t");
      let text = `${requirement.key} ${String(requirement.operator ?? "").toLowerCase()}`;
      if (requirement.values?.length) text += ` [${requirement.values.join(", ")}]`;
      w.write(0, `${text}\n`);
    });
  });
}

async function describePersistentVolume(context: DescribeContext, volume: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = volume.spec ?? {};
  w.write(0, `Name:\t${volume.metadata?.name}\n`);
  printLabels(w, "Labels", volume.metadata?.labels);
  printAnnotations(w, "Annotations", volume.metadata?.annotations);
  w.write(0, `Finalizers:\t[${((volume.metadata as Any)?.finalizers ?? []).join(" ")}]\n`);
  w.write(0, `StorageClass:\t${spec.storageClassName ?? ""}\n`);
  w.write(0, `Status:\t${volume.status?.phase ?? ""}\n`);
  w.write(0, `Claim:\t${spec.claimRef ? `${spec.claimRef.namespace}/${spec.claimRef.name}` : ""}\n`);
  w.write(0, `Reclaim Policy:\t${spec.persistentVolumeReclaimPolicy ?? ""}\n`);
  w.write(0, `Access Modes:\t${accessModesAsString(spec.accessModes)}\n`);
  w.write(0, `VolumeMode:\t${spec.volumeMode ?? "Filesystem"}\n`);
  w.write(0, `Capacity:\t${spec.capacity?.storage ? formatQuantity(parseQuantity(spec.capacity.storage)) : ""}\n`);
  printVolumeNodeAffinity(w, spec.nodeAffinity);
  w.write(0, `Message:\t${volume.status?.message ?? ""}\n`);
  w.write(0, "Source:\n");
  // Upstream's print…VolumeSource helpers write at LEVEL_2, in a PV's Source as in a pod's Volumes.
  if (spec.hostPath)
    w.write(
      2,
      `Type:\tHostPath (bare host directory volume)\n    Path:\t${spec.hostPath.path}\n    HostPathType:\t${spec.hostPath.type ?? "<none>"}\n`,
    );
  else if (spec.local)
    w.write(
      2,
      `Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t${spec.local.path}\n`,
    );
  else if (spec.nfs)
    w.write(
      2,
      `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${spec.nfs.server}\n    Path:\t${spec.nfs.path}\n    ReadOnly:\t${spec.nfs.readOnly === true}\n`,
    );
  describeEvents(w, await searchEvents(context, volume), context.now);
  return w.toString();
}

async function describeHorizontalPodAutoscaler(context: DescribeContext, hpa: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  w.write(0, `Name:\t${hpa.metadata?.name}\n`);
  w.write(0, `Namespace:\t${hpa.metadata?.namespace}\n`);
  printLabels(w, "Labels", hpa.metadata?.labels);
  printAnnotations(w, "Annotations", hpa.metadata?.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(hpa.metadata?.creationTimestamp)}\n`);
  w.write(0, `Reference:\t${spec.scaleTargetRef?.kind}/${spec.scaleTargetRef?.name}\n`);
  w.write(0, "Metrics:\t( current / target )\n");
  (spec.metrics ?? []).forEach((metric: Any, index: number) => {
    if (metric.type === "Resource") {
      const current = status.currentMetrics?.[index]?.resource?.current;
      if (metric.resource.target?.averageValue) {
        w.write(
          1,
          `resource ${metric.resource.name} on pods:\t${current?.averageValue ?? "<unknown>"} / ${metric.resource.target.averageValue}\n`,
        );
      } else {
        const currentText =
          current?.averageUtilization !== undefined
            ? `${current.averageUtilization}% (${current.averageValue})`
            : "<unknown>";
        const target =
          metric.resource.target?.averageUtilization !== undefined
            ? `${metric.resource.target.averageUtilization}%`
            : "<auto>";
        w.write(
          1,
          `resource ${metric.resource.name} on pods  (as a percentage of request):\t${currentText} / ${target}\n`,
        );
      }
    } else {
      w.write(1, `<unknown metric type "${metric.type}">`);
    }
  });
  w.write(0, `Min replicas:\t${spec.minReplicas ?? "<unset>"}\n`);
  w.write(0, `Max replicas:\t${spec.maxReplicas}\n`);
  w.write(
    0,
    `${spec.scaleTargetRef?.kind} pods:\t${status.currentReplicas ?? 0} current / ${status.desiredReplicas ?? 0} desired\n`,
  );
  if (status.conditions?.length) {
    w.write(0, "Conditions:\n");
    w.write(1, "Type\tStatus\tReason\tMessage\n");
    w.write(1, "----\t------\t------\t-------\n");
    for (const c of status.conditions) w.write(1, `${c.type}\t${c.status}\t${c.reason ?? ""}\t${c.message ?? ""}\n`);
  }
  describeEvents(w, await searchEvents(context, hpa), context.now);
  return w.toString();
}

async function describeIngress(context: DescribeContext, ingress: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  const spec = ingress.spec ?? {};
  w.write(0, `Name:\t${ingress.metadata?.name}\n`);
  printLabels(w, "Labels", ingress.metadata?.labels);
  w.write(0, `Namespace:\t${ingress.metadata?.namespace}\n`);
  const addresses = (ingress.status?.loadBalancer?.ingress ?? [])
    .map((entry: Any) => entry.ip || entry.hostname)
    .join(",");
  w.write(0, `Address:\t${addresses}\n`);
  w.write(0, `Ingress Class:\t${spec.ingressClassName ?? "<none>"}\n`);
  const backendText = (backend: Any) =>
    backend?.service ? `${backend.service.name}:${backend.service.port?.number ?? backend.service.port?.name}` : "";
  const namespace = String(ingress.metadata?.namespace);
  const endpointsFor = async (backend: Any): Promise<string> => {
    if (!backend?.service) return "<none>";
    try {
      const service = await context.client.get<Any>(`/api/v1/namespaces/${namespace}/services/${backend.service.name}`);
      const port = (service.spec?.ports ?? []).find((candidate: Any) =>
        backend.service.port?.number
          ? candidate.port === backend.service.port.number
          : candidate.name === backend.service.port?.name,
      );
      const slices = await context.client.get<{ items: Any[] }>(
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        {
          query: { labelSelector: `kubernetes.io/service-name=${backend.service.name}` },
        },
      );
      return formatEndpointSlices(slices.items, port?.name ?? "");
    } catch (error) {
      return `<error: ${(error as Error).message}>`;
    }
  };
  w.write(0, "Default backend:\t");
  w.write(
    0,
    spec.defaultBackend
      ? `${backendText(spec.defaultBackend)} (${await endpointsFor(spec.defaultBackend)})\n`
      : "<default>\n",
  );
  if (spec.tls?.length) {
    w.write(0, "TLS:\n");
    for (const tls of spec.tls)
      w.write(
        1,
        `${tls.secretName ?? "SNI"} ${tls.secretName ? "terminates" : "routes"} ${(tls.hosts ?? []).join(",")}\n`,
      );
  }
  w.write(0, "Rules:\n  Host\tPath\tBackends\n");
  w.write(1, "----\t----\t--------\n");
  for (const rule of spec.rules ?? []) {
    w.write(1, `${rule.host || "*"}\t\n`);
    for (const path of rule.http?.paths ?? [])
      w.write(2, `\t${path.path ?? ""} \t${backendText(path.backend)} (${await endpointsFor(path.backend)})\n`);
  }
  printAnnotations(w, "Annotations", ingress.metadata?.annotations);
  describeEvents(w, await searchEvents(context, ingress), context.now);
  return w.toString();
}

async function describeEvent(_context: DescribeContext, event: KubeObject): Promise<string> {
  return describeGeneric(_context, event);
}

interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** rbac.BreakdownRule + CompactRules + SortableRuleSlice, as describe role shows rules. */
function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const broken: PolicyRule[] = [];
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs ?? []) {
          if (rule.resourceNames?.length)
            for (const name of rule.resourceNames)
              broken.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
          else broken.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
    for (const url of rule.nonResourceURLs ?? [])
      for (const verb of rule.verbs ?? []) broken.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  const compacted: PolicyRule[] = [];
  const byKey = new Map<string, PolicyRule>();
  for (const rule of broken) {
    if (rule.nonResourceURLs?.length) {
      compacted.push(rule);
      continue;
    }
    const key = `${rule.apiGroups?.[0]}|${rule.resources?.[0]}|${rule.resourceNames?.[0] ?? ""}`;
    const existing = byKey.get(key);
    if (existing) {
      for (const verb of rule.verbs) if (!existing.verbs.includes(verb)) existing.verbs.push(verb);
    } else {
      const copy = { ...rule, verbs: [...rule.verbs] };
      byKey.set(key, copy);
      compacted.push(copy);
    }
  }
  const list = (values: string[] | undefined) => `[${(values ?? []).join(" ")}]`;
  const sortKey = (rule: PolicyRule) =>
    `&PolicyRule{Verbs:${list(rule.verbs)},APIGroups:${list(rule.apiGroups)},Resources:${list(rule.resources)},ResourceNames:${list(rule.resourceNames)},NonResourceURLs:${list(rule.nonResourceURLs)},}`;
  return compacted
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) =>
      sortKey(a.rule) < sortKey(b.rule) ? -1 : sortKey(a.rule) > sortKey(b.rule) ? 1 : a.index - b.index,
    )
    .map((entry) => entry.rule);
}

function combineResourceGroup(resources: string[] | undefined, groups: string[] | undefined): string {
  if (!resources?.length) return "";
  const [resource, subresource] = (resources[0] as string).split("/", 2);
  let combined = resource as string;
  if (groups?.length && groups[0] !== "") combined += `.${groups[0]}`;
  if (subresource !== undefined) combined += `/${subresource}`;
  return combined;
}

async function describeRole(_context: DescribeContext, role: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${role.metadata?.name}\n`);
  printLabels(w, "Labels", role.metadata?.labels);
  printAnnotations(w, "Annotations", role.metadata?.annotations);
  w.write(0, "PolicyRule:\n");
  w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
  w.write(1, "---------\t-----------------\t--------------\t-----\n");
  for (const rule of compactRules(((role as Any).rules ?? []) as PolicyRule[])) {
    w.write(
      1,
      `${combineResourceGroup(rule.resources, rule.apiGroups)}\t[${(rule.nonResourceURLs ?? []).join(" ")}]\t[${(rule.resourceNames ?? []).join(" ")}]\t[${rule.verbs.join(" ")}]\n`,
    );
  }
  return w.toString();
}

async function describeRoleBinding(_context: DescribeContext, binding: KubeObject): Promise<string> {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${binding.metadata?.name}\n`);
  printLabels(w, "Labels", binding.metadata?.labels);
  printAnnotations(w, "Annotations", binding.metadata?.annotations);
  const roleRef = (binding as Any).roleRef ?? {};
  w.write(0, "Role:\n");
  w.write(1, `Kind:\t${roleRef.kind ?? ""}\n`);
  w.write(1, `Name:\t${roleRef.name ?? ""}\n`);
  w.write(0, "Subjects:\n");
  w.write(1, "Kind\tName\tNamespace\n");
  w.write(1, "----\t----\t---------\n");
  for (const subject of (binding as Any).subjects ?? [])
    w.write(1, `${subject.kind}\t${subject.name}\t${subject.namespace ?? ""}\n`);
  return w.toString();
}

/** DescribePodTemplate into a bare prefix writer, as `rollout history --revision` prints a revision's template. */
export function podTemplateText(template: Any): string {
  const w = new DescribeWriter();
  describePodTemplate(w, template);
  return w.unformatted();
}

type Describer = (context: DescribeContext, object: KubeObject) => Promise<string>;

/** Describers by `group/kind`. */
export const describers: Record<string, Describer> = {
  "/Pod": describePod,
  "apps/Deployment": describeDeployment,
  "apps/ReplicaSet": describeReplicaSet,
  "apps/DaemonSet": describeDaemonSet,
  "apps/StatefulSet": describeStatefulSet,
  "batch/Job": describeJob,
  "batch/CronJob": describeCronJob,
  "/Service": describeService,
  "/Endpoints": describeEndpoints,
  "/Node": describeNode,
  "/Namespace": describeNamespace,
  "/ResourceQuota": describeResourceQuota,
  "/LimitRange": describeLimitRange,
  "/ConfigMap": describeConfigMap,
  "/Secret": describeSecret,
  "/ServiceAccount": describeServiceAccount,
  "/PersistentVolumeClaim": describePersistentVolumeClaim,
  "/PersistentVolume": describePersistentVolume,
  "autoscaling/HorizontalPodAutoscaler": describeHorizontalPodAutoscaler,
  "networking.k8s.io/Ingress": describeIngress,
  "networking.k8s.io/IngressClass": describeIngressClass,
  "networking.k8s.io/NetworkPolicy": describeNetworkPolicy,
  "discovery.k8s.io/EndpointSlice": describeEndpointSlice,
  "policy/PodDisruptionBudget": describePodDisruptionBudget,
  "scheduling.k8s.io/PriorityClass": describePriorityClass,
  "certificates.k8s.io/CertificateSigningRequest": describeCertificateSigningRequest,
  "storage.k8s.io/StorageClass": describeStorageClass,
  "/Event": describeEvent,
  "rbac.authorization.k8s.io/Role": describeRole,
  "rbac.authorization.k8s.io/ClusterRole": describeRole,
  "rbac.authorization.k8s.io/RoleBinding": describeRoleBinding,
  "rbac.authorization.k8s.io/ClusterRoleBinding": describeRoleBinding,
};

/** Describes one object with the describer for its kind, or the generic one. */
export function describeObject(context: DescribeContext, object: KubeObject): Promise<string> {
  const describer = describers[`${context.info.group}/${context.info.kind}`] ?? describeGeneric;
  return describer(context, object);
}

export { resourcePath };
