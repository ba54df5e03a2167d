/**
 * Pod spec defaulting, ported from upstream's pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec,
 * SetDefaults_Container, SetDefaults_ContainerPort, SetDefaults_Probe, SetDefaults_Volume …).
 * Applied to pods and to every pod template (deployments, jobs …).
 */
import type { Container, PodSpec, Probe, ResourceList, Volume } from "../../../api/core";

/** Keys of a Volume that name its source (upstream's VolumeSource members). */
export const volumeSourceKeys = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
];

/** upstream: `:latest` or no tag (and no digest) pulls Always, anything else IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): string {
  if (!image) return "IfNotPresent";
  if (image.includes("@")) return "IfNotPresent";
  const lastSlash = image.lastIndexOf("/");
  const lastColon = image.lastIndexOf(":");
  const tag = lastColon > lastSlash ? image.slice(lastColon + 1) : "";
  return tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    if (!probe.httpGet.path) probe.httpGet.path = "/";
    if (!probe.httpGet.scheme) probe.httpGet.scheme = "HTTP";
  }
}

function defaultContainer(container: Container, hostNetwork: boolean): void {
  if (!container.imagePullPolicy) container.imagePullPolicy = defaultImagePullPolicy(container.image);
  if (!container.terminationMessagePath) container.terminationMessagePath = "/dev/termination-log";
  if (!container.terminationMessagePolicy) container.terminationMessagePolicy = "File";
  for (const port of container.ports ?? []) {
    if (!port.protocol) port.protocol = "TCP";
    // With the host's network a container port is a host port.
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
  for (const handler of [container.lifecycle?.postStart, container.lifecycle?.preStop]) {
    if (handler?.httpGet) {
      if (!handler.httpGet.path) handler.httpGet.path = "/";
      if (!handler.httpGet.scheme) handler.httpGet.scheme = "HTTP";
    }
  }
  for (const variable of container.env ?? []) {
    const fieldRef = variable.valueFrom?.fieldRef;
    if (fieldRef && !fieldRef.apiVersion) fieldRef.apiVersion = "v1";
  }
}

function defaultVolume(volume: Volume): void {
  if (!volumeSourceKeys.some((key) => volume[key] !== undefined && volume[key] !== null)) volume.emptyDir = {};
  if (volume.secret) volume.secret.defaultMode ??= 420;
  if (volume.configMap) volume.configMap.defaultMode ??= 420;
  if (volume.downwardAPI) {
    volume.downwardAPI.defaultMode ??= 420;
    for (const item of volume.downwardAPI.items ?? [])
      if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = "v1";
  }
  if (volume.projected) {
    volume.projected.defaultMode ??= 420;
    for (const source of volume.projected.sources ?? []) {
      if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of source.downwardAPI?.items ?? []) {
        if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = "v1";
      }
    }
  }
  if (volume.hostPath) volume.hostPath.type ??= "";
  if (volume.iscsi && typeof volume.iscsi === "object") {
    const iscsi = volume.iscsi as Record<string, unknown>;
    iscsi.iscsiInterface ??= "default";
  }
}

/** SetDefaults_PodSpec and everything nested in it. */
export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = "ClusterFirst";
  if (!spec.restartPolicy) spec.restartPolicy = "Always";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  if (!spec.schedulerName) spec.schedulerName = "default-scheduler";
  // enableServiceLinks is SetDefaults_Pod's (pods only, not templates): see defaultPod in core/pods.ts.
  // v1 conversion keeps the deprecated serviceAccount field equal to serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  const hostNetwork = spec.hostNetwork === true;
  for (const container of spec.initContainers ?? []) defaultContainer(container, hostNetwork);
  for (const container of spec.containers ?? []) defaultContainer(container, hostNetwork);
  for (const container of spec.ephemeralContainers ?? []) defaultContainer(container, hostNetwork);
  for (const volume of spec.volumes ?? []) defaultVolume(volume);
}

/** SetDefaults_Pod's part that applies only to pods: requests default to limits. */
export function defaultRequestsFromLimits(spec: PodSpec | undefined): void {
  for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    const limits = container.resources?.limits;
    if (!limits || !container.resources) continue;
    const requests: ResourceList = container.resources.requests ?? {};
    for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
    container.resources.requests = requests;
  }
}
