import type { KubeObject, WatchEvent } from "../api/types";
import { isApiError } from "../apiserver/ApiError";
import { kubernetesServiceObjects } from "./bootstrap";
import type { Component, ComponentContext } from "./Component";

/** The API server's reconcile interval for the `kubernetes` Service and its endpoints (upstream's EndpointInterval). */
export const KUBERNETES_SERVICE_INTERVAL_MS = 10_000;

/**
 * The API server's kubernetes-service controller (pkg/controlplane/controller/kubernetesservice)
 * with its endpoint reconciler: every 10 s upstream recreates the `kubernetes` Service in
 * `default` if it is gone and puts its Endpoints and EndpointSlice back at the API server's
 * address. Lazily: it watches those three objects and arms one timer, for the next tick of that
 * 10 s loop, only when one is deleted or changed, so a deletion is undone within 10 s as on a real
 * cluster and an untouched cluster costs nothing.
 */
export function startKubernetesServiceController(context: ComponentContext, apiServerIp: string): Component {
  const { client, clock } = context;
  const wanted = kubernetesServiceObjects(apiServerIp);
  const started = clock.now();
  let stopped = false;
  let cancelTick: (() => void) | undefined;
  const stops: Array<() => void> = [];

  const reconcile = async () => {
    for (const { gvr, object } of wanted) {
      let current: KubeObject | undefined;
      try {
        current = await client.get(gvr, "default", "kubernetes");
      } catch (error) {
        if (!isApiError(error, "NotFound")) throw error;
      }
      try {
        if (!current) await client.create(gvr, structuredClone(object), { fieldManager: "kube-apiserver" });
        else if (gvr.resource !== "services" && drifted(current, object)) {
          // The endpoint reconciler rewrites addresses and ports; the Service's own fields are the user's.
          const record = current as unknown as Record<string, unknown>;
          const fixed = { ...record, ...endpointFields(object) } as unknown as KubeObject;
          await client.update(gvr, fixed, { fieldManager: "kube-apiserver" });
        }
      } catch (error) {
        if (!isApiError(error, "AlreadyExists") && !isApiError(error, "Conflict")) throw error;
      }
    }
  };

  const scheduleTick = () => {
    if (stopped || cancelTick) return;
    const now = clock.now();
    const next = started + Math.ceil((now - started) / KUBERNETES_SERVICE_INTERVAL_MS) * KUBERNETES_SERVICE_INTERVAL_MS;
    cancelTick = clock.setTimer(Math.max(0, next - now), () => {
      cancelTick = undefined;
      void reconcile().catch((error) => context.log(`kubernetes service reconcile failed: ${error}`));
    });
  };

  const watch = (index: number) => {
    if (stopped) return;
    const { gvr, object } = wanted[index];
    stops.push(
      client.watch(
        gvr,
        "default",
        { fieldSelector: "metadata.name=kubernetes" },
        (event: WatchEvent<KubeObject>) => {
          if (event.type === "DELETED") scheduleTick();
          else if (event.type === "MODIFIED" && gvr.resource !== "services" && drifted(event.object, object))
            scheduleTick();
        },
        () => {
          if (!stopped) stops.push(clock.setTimer(1_000, () => watch(index)));
        },
      ),
    );
  };
  for (let index = 0; index < wanted.length; index++) watch(index);
  // Restored snapshots may lack one of them; the first loop iteration puts it back.
  scheduleTick();

  return {
    stop() {
      stopped = true;
      cancelTick?.();
      for (const stop of stops) stop();
    },
  };
}

/** The fields the endpoint reconciler owns on the Endpoints (`subsets`) and EndpointSlice (`endpoints`, `ports`). */
function endpointFields(object: KubeObject): Record<string, unknown> {
  const record = object as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ["subsets", "endpoints", "ports", "addressType"]) if (key in record) out[key] = record[key];
  return out;
}

function drifted(current: KubeObject, wanted: KubeObject): boolean {
  const have = endpointFields(current);
  const want = endpointFields(wanted);
  return Object.keys(want).some((key) => JSON.stringify(have[key]) !== JSON.stringify(want[key]));
}
