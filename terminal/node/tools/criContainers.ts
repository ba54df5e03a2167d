import { createHash } from "node:crypto";
import type { ContainerStatus, Pod } from "../../../engine/api/core";
import type { LogRequest } from "../../../engine/apiserver/KubeletConnection";
import { ImageCatalog, parseImageReference } from "../../../engine/images";
import { podsOnNode, type ToolContext } from "./ToolContext";

/** A container as the node's CRI runtime lists it (one per instance: restarts keep the previous one). */
export interface CriContainer {
  id: string;
  podSandboxId: string;
  name: string;
  attempt: number;
  state: "Created" | "Running" | "Exited" | "Unknown";
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  /** The image as the pod spec names it, and the digest reference the kubelet reports. */
  image: string;
  imageRef: string;
  imageId: string;
  pod: Pod;
  init: boolean;
  previous: boolean;
}

export interface CriSandbox {
  id: string;
  pod: Pod;
  createdAt: number;
  state: "Ready" | "NotReady";
}

const catalog = new ImageCatalog();

/** `sha256:<hex>` image (config) id of an image reference, from the image catalog ("" when unknown). */
export function imageIdOf(reference: string): string {
  try {
    const resolved = catalog.resolve(parseImageReference(reference));
    return "id" in resolved ? resolved.id : "";
  } catch {
    return "";
  }
}

/** The pod sandbox id containerd would have given the pod (stable per pod UID). */
export function sandboxIdOf(pod: Pod): string {
  return createHash("sha256")
    .update(`sandbox/${pod.metadata?.uid ?? ""}`)
    .digest("hex");
}

function time(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * The runtime's containers behind one container status: the last terminated instance and the
 * current one. In back-off (CrashLoopBackOff) the kubelet reports the dead container twice, as the
 * waiting status's containerID and as its last state (convertToAPIContainerStatuses), while the
 * runtime holds it once, Exited, with the status's restart count as its attempt.
 */
export function containersFromStatus(
  pod: Pod,
  status: ContainerStatus,
  init: boolean,
  sandbox: string,
): CriContainer[] {
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (container) => container.name === status.name,
  );
  const image = spec?.image ?? status.image;
  const base = {
    podSandboxId: sandbox,
    name: status.name,
    image: status.image || image,
    imageRef: status.imageID,
    imageId: imageIdOf(status.image || image),
    pod,
    init,
  };
  const containers: CriContainer[] = [];
  const last = status.lastState?.terminated;
  const state = status.state ?? {};
  const backingOff =
    !state.running && !state.terminated && !!last?.containerID && status.containerID === last.containerID;
  if (last?.containerID) {
    containers.push({
      ...base,
      id: last.containerID.replace(/^[a-z]+:\/\//, ""),
      attempt: backingOff ? status.restartCount : Math.max(0, status.restartCount - 1),
      state: "Exited",
      createdAt: time(last.startedAt) ?? 0,
      startedAt: time(last.startedAt),
      finishedAt: time(last.finishedAt),
      exitCode: last.exitCode,
      reason: last.reason,
      message: last.message,
      previous: true,
    });
  }
  if (status.containerID && !backingOff) {
    const running = state.running;
    const terminated = state.terminated;
    containers.push({
      ...base,
      id: status.containerID.replace(/^[a-z]+:\/\//, ""),
      attempt: status.restartCount,
      state: running ? "Running" : terminated ? "Exited" : "Created",
      createdAt: time(running?.startedAt ?? terminated?.startedAt) ?? time(pod.status?.startTime) ?? 0,
      startedAt: time(running?.startedAt ?? terminated?.startedAt),
      finishedAt: time(terminated?.finishedAt),
      exitCode: terminated?.exitCode,
      reason: terminated?.reason,
      message: terminated?.message,
      previous: false,
    });
  }
  return containers;
}

/** Every container and pod sandbox on the node, newest first (as crictl sorts them). */
export async function criState(context: ToolContext): Promise<{ containers: CriContainer[]; sandboxes: CriSandbox[] }> {
  const pods = await podsOnNode(context);
  const containers: CriContainer[] = [];
  const sandboxes: CriSandbox[] = [];
  for (const pod of pods) {
    const sandbox = sandboxIdOf(pod);
    const podContainers = [
      ...(pod.status?.initContainerStatuses ?? []).flatMap((status) =>
        containersFromStatus(pod, status, true, sandbox),
      ),
      ...(pod.status?.containerStatuses ?? []).flatMap((status) => containersFromStatus(pod, status, false, sandbox)),
    ];
    containers.push(...podContainers);
    const phase = pod.status?.phase;
    const started = time(pod.status?.startTime);
    if (started === undefined && podContainers.length === 0) continue;
    sandboxes.push({
      id: sandbox,
      pod,
      createdAt: started ?? time(pod.metadata?.creationTimestamp) ?? 0,
      state: phase === "Succeeded" || phase === "Failed" ? "NotReady" : "Ready",
    });
  }
  containers.sort((a, b) => b.createdAt - a.createdAt);
  sandboxes.sort((a, b) => b.createdAt - a.createdAt);
  return { containers, sandboxes };
}

/** Finds a container by a prefix of its id, as crictl accepts. */
export function findContainer(containers: CriContainer[], id: string): CriContainer | undefined {
  return id.length > 0 ? containers.find((container) => container.id.startsWith(id)) : undefined;
}

/** Streams a container's log from its kubelet; resolves when it ends (or the signal aborts a follow). */
export function streamContainerLog(
  context: ToolContext,
  container: CriContainer,
  options: Pick<LogRequest, "follow" | "timestamps" | "tailLines" | "sinceSeconds">,
  write: (chunk: string) => void,
): Promise<void> {
  const kubelet = context.cluster.apiServer.kubelets.get(context.node.name);
  if (!kubelet) return Promise.resolve();
  const stream = kubelet.logs({
    namespace: container.pod.metadata?.namespace ?? "default",
    pod: container.pod.metadata?.name ?? "",
    container: container.name,
    previous: container.previous,
    ...options,
  });
  return new Promise((resolve) => {
    const abort = () => stream.close();
    context.signal?.addEventListener("abort", abort, { once: true });
    stream.onData(write);
    stream.onEnd(() => {
      context.signal?.removeEventListener("abort", abort);
      resolve();
    });
  });
}
