import type { KubeObject } from "./common";

interface NamedContainer {
  name?: string;
}

/**
 * The container a pod command (logs, exec, attach, cp) uses when none is named, as kubectl's
 * podcmd.FindOrDefaultContainerByName picks it: the `kubectl.kubernetes.io/default-container`
 * annotation when it names one of the pod's containers, else the first container, with the
 * "Defaulted container" notice whenever the pod has another container of any kind (regular, init
 * or ephemeral) and the command is not quiet. An explicit name is returned as given.
 */
export function defaultContainer(
  pod: KubeObject,
  explicit: string,
  quiet: boolean,
  warn: (text: string) => void,
): string {
  if (explicit) return explicit;
  const spec = (pod.spec ?? {}) as {
    containers?: NamedContainer[];
    initContainers?: NamedContainer[];
    ephemeralContainers?: NamedContainer[];
  };
  const containers = spec.containers ?? [];
  const initContainers = spec.initContainers ?? [];
  const ephemeralContainers = spec.ephemeralContainers ?? [];
  const annotated = pod.metadata?.annotations?.["kubectl.kubernetes.io/default-container"];
  if (annotated && [...containers, ...initContainers, ...ephemeralContainers].some((c) => c.name === annotated))
    return annotated;
  const first = containers[0]?.name ?? "";
  if (!quiet && (containers.length > 1 || initContainers.length > 0 || ephemeralContainers.length > 0))
    warn(`Defaulted container "${first}" out of: ${allContainerNames(spec)}\n`);
  return first;
}

/** podcmd.AllContainerNames: containers, then ephemeral ones `(ephem)`, then init ones `(init)`. */
function allContainerNames(spec: {
  containers?: NamedContainer[];
  initContainers?: NamedContainer[];
  ephemeralContainers?: NamedContainer[];
}): string {
  return [
    ...(spec.containers ?? []).map((c) => c.name ?? ""),
    ...(spec.ephemeralContainers ?? []).map((c) => `${c.name ?? ""} (ephem)`),
    ...(spec.initContainers ?? []).map((c) => `${c.name ?? ""} (init)`),
  ].join(", ");
}
