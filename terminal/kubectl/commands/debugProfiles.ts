/**
 * `kubectl debug --profile`: what each profile changes in the debugging pod, as kubectl 1.32's
 * pkg/cmd/debug/profiles.go applies them. A profile knows three styles of debugging: an ephemeral
 * container added to the target pod, a copy of the pod, and a new pod on a node.
 */
import { plainError } from "../errors";

// biome-ignore lint/suspicious/noExplicitAny: pods and containers are loosely typed API JSON here
type Any = any;

export type DebugStyle = "ephemeral" | "podCopy" | "node";

/** The --keep-* flags: what a pod copy keeps of the original. */
export interface KeepFlags {
  labels: boolean;
  annotations: boolean;
  liveness: boolean;
  readiness: boolean;
  startup: boolean;
  initContainers: boolean;
}

/** Changes `pod` for debugging with the container `containerName`. */
export type ProfileApplier = (pod: Any, containerName: string, style: DebugStyle) => void;

export const profileNames = ["legacy", "general", "baseline", "restricted", "netadmin", "sysadmin"] as const;

/** NewProfileApplier: the applier of a profile name, or kubectl's `unknown profile: x`. */
export function profileApplier(name: string, keep: KeepFlags): ProfileApplier {
  const copyCleanup = (pod: Any) => {
    if (!keep.labels) delete pod.metadata.labels;
    if (!keep.annotations) delete pod.metadata.annotations;
    removeProbes(pod, keep);
    if (!keep.initContainers) delete pod.spec.initContainers;
  };
  switch (name) {
    case "legacy":
      return (pod, container, style) => {
        if (style === "node") {
          mountRootPartition(pod, container);
          joinHostNamespaces(pod);
        } else if (style === "podCopy") {
          // Legacy never kept the labels, whatever --keep-labels says.
          delete pod.metadata.labels;
        }
      };
    case "general":
      return (pod, container, style) => {
        if (style === "node") {
          mountRootPartition(pod, container);
          clearSecurityContext(pod, container);
          joinHostNamespaces(pod);
        } else if (style === "podCopy") {
          copyCleanup(pod);
          addCapabilities(pod, container, ["SYS_PTRACE"]);
          shareProcessNamespace(pod);
        } else addCapabilities(pod, container, ["SYS_PTRACE"]);
      };
    case "baseline":
      return (pod, container, style) => {
        clearSecurityContext(pod, container);
        if (style === "podCopy") {
          copyCleanup(pod);
          shareProcessNamespace(pod);
        }
      };
    case "restricted":
      return (pod, container, style) => {
        clearSecurityContext(pod, container);
        withSecurityContext(pod, container, (context) => {
          context.runAsNonRoot = true;
          context.capabilities = { ...(context.capabilities ?? {}), drop: ["ALL"] };
          delete context.capabilities.add;
          context.allowPrivilegeEscalation = false;
          context.seccompProfile = { type: "RuntimeDefault" };
        });
        if (style === "podCopy") {
          copyCleanup(pod);
          shareProcessNamespace(pod);
        }
      };
    case "netadmin":
      return (pod, container, style) => {
        addCapabilities(pod, container, ["NET_ADMIN", "NET_RAW"]);
        if (style === "node") joinHostNamespaces(pod);
        else if (style === "podCopy") {
          copyCleanup(pod);
          shareProcessNamespace(pod);
        }
      };
    case "sysadmin":
      return (pod, container, style) => {
        withSecurityContext(pod, container, (context) => {
          context.privileged = true;
        });
        if (style === "node") {
          joinHostNamespaces(pod);
          mountRootPartition(pod, container);
        } else if (style === "podCopy") {
          copyCleanup(pod);
          shareProcessNamespace(pod);
        }
      };
    default:
      throw plainError(`unknown profile: ${name}`);
  }
}

/** podutils.VisitContainers over every kind (AllContainers): the first container named `name`. */
function findContainer(pod: Any, name: string, withEphemeral = true): Any | undefined {
  const lists = [pod.spec.initContainers, pod.spec.containers, withEphemeral ? pod.spec.ephemeralContainers : []];
  for (const list of lists) for (const container of list ?? []) if (container.name === name) return container;
  return undefined;
}

function withSecurityContext(pod: Any, name: string, change: (context: Any) => void): void {
  const container = findContainer(pod, name);
  if (!container) return;
  container.securityContext ??= {};
  change(container.securityContext);
}

/** mountRootPartition: the node's `/` as the `host-root` volume, at `/host` in the container. */
function mountRootPartition(pod: Any, name: string): void {
  pod.spec.volumes = [...(pod.spec.volumes ?? []), { name: "host-root", hostPath: { path: "/" } }];
  const container = findContainer(pod, name, false);
  if (container)
    container.volumeMounts = [...(container.volumeMounts ?? []), { mountPath: "/host", name: "host-root" }];
}

function joinHostNamespaces(pod: Any): void {
  pod.spec.hostNetwork = true;
  pod.spec.hostPID = true;
  pod.spec.hostIPC = true;
}

/** shareProcessNamespace: only when the pod (or --share-processes) has not decided it. */
function shareProcessNamespace(pod: Any): void {
  pod.spec.shareProcessNamespace ??= true;
}

function clearSecurityContext(pod: Any, name: string): void {
  const container = findContainer(pod, name);
  if (container) delete container.securityContext;
}

function addCapabilities(pod: Any, name: string, capabilities: string[]): void {
  withSecurityContext(pod, name, (context) => {
    context.capabilities ??= {};
    context.capabilities.add = [...(context.capabilities.add ?? []), ...capabilities];
  });
}

function removeProbes(pod: Any, keep: KeepFlags): void {
  for (const container of pod.spec.containers ?? []) {
    if (!keep.liveness) delete container.livenessProbe;
    if (!keep.readiness) delete container.readinessProbe;
    if (!keep.startup) delete container.startupProbe;
  }
}
