import type { ApiServer } from "../../apiserver/ApiServer";
import type { ResourceDefinition } from "../../apiserver/ResourceDefinition";
import type { Clock } from "../../clock/Clock";
import type { Speed } from "../../cluster/Component";
import type { RunningCluster } from "./runClusterUp";

/**
 * Boots the cluster `kubelab cluster up` serves: engine/cluster's createCluster (control plane,
 * nodes, kubelets). While that module is being built in parallel, falls back to a bare API server
 * over the registered resource definitions, so the HTTP surface can be served and tested. The
 * module paths are computed so that the compiler does not require modules that are not there yet.
 */
export async function startCluster(options: {
  clock: Clock;
  speed: Speed;
  nodes?: number;
  dataDir?: string;
}): Promise<RunningCluster> {
  const clusterModule = await tryImport<{
    createCluster?: (options: Record<string, unknown>) => unknown;
  }>(["../../cluster/createCluster", "../../cluster/index", "../../cluster"]);
  if (clusterModule?.createCluster) {
    const cluster = (await clusterModule.createCluster({
      clock: options.clock,
      speed: options.speed,
      nodes: options.nodes,
      dataDir: options.dataDir,
    })) as { apiServer: ApiServer; ready?: Promise<void>; stop(): void | Promise<void> };
    return { apiServer: cluster.apiServer, ready: cluster.ready, stop: () => cluster.stop() };
  }
  const { createApiServer } = await import("../../apiserver/ApiServer");
  const resources = await tryImport<{ builtinResources?: ResourceDefinition[]; resources?: ResourceDefinition[] }>([
    "../../apiserver/resources/index",
  ]);
  const definitions = resources?.builtinResources ?? resources?.resources ?? [];
  const apiServer = createApiServer({ clock: options.clock, resources: definitions });
  return { apiServer, stop() {} };
}

async function tryImport<T>(candidates: string[]): Promise<T | undefined> {
  for (const candidate of candidates) {
    try {
      return (await import(/* @vite-ignore */ new URL(`${candidate}.ts`, import.meta.url).href)) as T;
    } catch (error) {
      if (!isMissingModule(error)) throw error;
    }
  }
  return undefined;
}

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}
