import { KeyValueStore } from "../../store/KeyValueStore";
import { type ClusterQuotas, DEFAULT_QUOTAS, QuotaStore } from "../hosting/quotas";

/** The limits of a standalone cluster's store (`kubelab cluster up`): what its quota counts. */
export type StandaloneQuotas = Pick<ClusterQuotas, "objects" | "pods" | "nodes" | "storeBytes">;

/**
 * The defaults: far above anything a lesson or a `--nodes 100` cluster runs (100 workers hold
 * 11,000 pods at 110 each), far below what exhausts the process. A pod costs ~25–40 kB of heap with
 * every component's caches (bench/controllers), so without a limit a `--replicas=1000000` typo ran
 * the process out of heap after ~130,000 pods; at these limits the cluster keeps its pods, the
 * ReplicaSet reports ReplicaFailure and stays usable.
 */
export const STANDALONE_QUOTAS: StandaloneQuotas = {
  objects: 20_000,
  pods: 5_000,
  nodes: 200,
  storeBytes: 256 * 1024 * 1024,
};

/** The store of a standalone cluster: with `quotas`, creates past a limit are refused; without, none are. */
export function standaloneStore(quotas: StandaloneQuotas | undefined): KeyValueStore {
  if (!quotas) return new KeyValueStore();
  const limits: ClusterQuotas = { ...DEFAULT_QUOTAS, ...quotas };
  // The store's own watch history (2 MB), not the hosted clusters' small window: a standalone
  // cluster's watchers are kubectl, k9s or an operator over HTTP that would re-list on a 410.
  return new QuotaStore(() => limits, undefined, {});
}

/** `kubelab cluster up`'s quota flags, as given (undefined: not given). */
export interface QuotaFlags {
  maxPods?: number;
  maxObjects?: number;
  maxStoreMb?: number;
  noQuota?: boolean;
}

/**
 * The limits the flags ask for: the defaults with any given limit raised or lowered, or `false`
 * (`--no-quota`). Throws a flag's usage error (`invalid argument "x" for "--max-pods" flag: …`).
 */
export function quotasFromFlags(flags: QuotaFlags): StandaloneQuotas | false {
  const given = (["maxPods", "maxObjects", "maxStoreMb"] as const).filter((name) => flags[name] !== undefined);
  if (flags.noQuota) {
    if (given.length > 0) throw new Error(`--no-quota cannot be combined with --${flagName(given[0])}`);
    return false;
  }
  for (const name of given) {
    const value = flags[name] as number;
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`invalid argument "${value}" for "--${flagName(name)}" flag: must be a positive integer`);
  }
  return {
    ...STANDALONE_QUOTAS,
    ...(flags.maxPods !== undefined ? { pods: flags.maxPods } : {}),
    ...(flags.maxObjects !== undefined ? { objects: flags.maxObjects } : {}),
    ...(flags.maxStoreMb !== undefined ? { storeBytes: flags.maxStoreMb * 1024 * 1024 } : {}),
  };
}

function flagName(name: "maxPods" | "maxObjects" | "maxStoreMb"): string {
  return { maxPods: "max-pods", maxObjects: "max-objects", maxStoreMb: "max-store-mb" }[name];
}
