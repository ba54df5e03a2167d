import { ApiError, isApiError } from "../../apiserver/ApiError";
import { builtinResources } from "../../apiserver/resources";
import { KeyValueStore, type TxnRequest, type TxnResponse } from "../../store/KeyValueStore";
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
  return new NamedQuotaStore(() => limits);
}

/** Where each built-in resource is kept: `/registry/<storagePrefix>/…` → its group and resource. */
const resourceByPrefix = new Map(
  builtinResources.map((definition) => [
    definition.storagePrefix,
    { group: definition.group, resource: definition.resource },
  ]),
);

/**
 * The hosting quota (engine/host/hosting/quotas.ts) with its refusals worded as upstream's
 * ResourceQuota admission words them: the object is named, as `admission.NewForbidden` names the
 * (generated) name of the object being created (`pods "web-7d4b9c8f5-x2x9k" is forbidden:
 * exceeded quota: kubelab-cluster-quota, requested: pods=1, used: pods=5000, limited: pods=5000`),
 * with the resource's group (`deployments.apps "web" is forbidden: …`). The ReplicaSet controller
 * puts that text in its FailedCreate event and ReplicaFailure condition, as upstream's does.
 */
class NamedQuotaStore extends QuotaStore {
  override txn(request: TxnRequest): TxnResponse {
    try {
      return super.txn(request);
    } catch (error) {
      throw this.named(error, request);
    }
  }

  private named(error: unknown, request: TxnRequest): unknown {
    if (!isApiError(error, "Forbidden")) return error;
    const why = /^[^ ]+ is forbidden: (exceeded quota: .*)$/.exec(error.message)?.[1];
    // The object being created: the first put of a key the store does not hold.
    const key = request.success.find((op) => op.type === "put" && !this.get(op.key))?.key;
    if (!why || !key) return error;
    const [prefix, ...rest] = key.slice("/registry/".length).split("/");
    const known = resourceByPrefix.get(prefix);
    const { group, resource } = known ?? { group: "", resource: prefix };
    return ApiError.forbidden(group, resource, rest[rest.length - 1], why);
  }
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
