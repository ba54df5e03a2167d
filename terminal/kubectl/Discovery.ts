import { KubectlError } from "./errors";
import type { RestClient } from "./RestClient";

/** One resource type as discovery describes it. */
export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural resource name, e.g. `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories: string[];
  /** Subresource names such as `status`, `scale`, `log`. */
  subresources: string[];
}

/** `group/version`, or `version` for the core group. */
export function groupVersion(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The URL path of a collection or object. */
export function resourcePath(
  info: ResourceInfo,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  let path = base;
  if (info.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${info.resource}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}

/** `deployment.apps` style name kubectl prints for -o name: lower-case kind plus group. */
export function kindDotGroup(info: { kind: string; group: string }): string {
  return info.group ? `${info.kind.toLowerCase()}.${info.group}` : info.kind.toLowerCase();
}

interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

interface APIGroup {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion?: { groupVersion: string; version: string };
}

/**
 * Resource resolution by discovery, as kubectl's RESTMapper does: plural, singular, short names,
 * kind, `resource.group` and `resource.version.group`, core group first. Results are cached for
 * the life of the process and refreshed once on a miss, so new CRDs appear.
 */
export class Discovery {
  private resources: ResourceInfo[] | undefined;
  private groups: APIGroup[] | undefined;
  private loadedAt = 0;
  /** The discovery being fetched: callers that ask meanwhile share it rather than fetch it again. */
  private loading: Promise<void> | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** Drops the cache. */
  invalidate(): void {
    this.resources = undefined;
    this.groups = undefined;
  }

  /** All API groups (core first) with their versions. */
  async apiGroups(): Promise<APIGroup[]> {
    await this.load();
    return this.groups as APIGroup[];
  }

  /** All resources of the preferred version of each group, subresources folded into their parent. */
  async all(): Promise<ResourceInfo[]> {
    await this.load();
    return this.resources as ResourceInfo[];
  }

  private load(): Promise<void> {
    if (this.resources && Date.now() - this.loadedAt < this.maxAgeMs) return Promise.resolve();
    this.loading ??= this.fetch().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async fetch(): Promise<void> {
    const core = await this.client.get<{ versions: string[] }>("/api");
    const groupList = await this.client.get<{ groups: APIGroup[] }>("/apis");
    const groups: APIGroup[] = [
      {
        name: "",
        versions: core.versions.map((v) => ({ groupVersion: v, version: v })),
        preferredVersion: { groupVersion: "v1", version: "v1" },
      },
      ...groupList.groups,
    ];
    const lists = await Promise.all(
      groups.map(async (group) => {
        const preferred = group.preferredVersion ?? group.versions[0];
        if (!preferred) return [] as ResourceInfo[];
        const path = group.name ? `/apis/${preferred.groupVersion}` : `/api/${preferred.version}`;
        try {
          const list = await this.client.get<{ resources: APIResource[] }>(path);
          return toInfos(group.name, preferred.version, list.resources ?? []);
        } catch {
          return [] as ResourceInfo[];
        }
      }),
    );
    this.groups = groups;
    this.resources = lists.flat();
    this.loadedAt = Date.now();
  }

  /** Resolves what a user typed (`po`, `deploy`, `deployments.apps`, `Pod`) to a resource. */
  async resolve(typed: string): Promise<ResourceInfo> {
    const found = await this.tryResolve(typed);
    if (found) return found;
    this.invalidate();
    const retried = await this.tryResolve(typed);
    if (retried) return retried;
    throw new KubectlError(`error: the server doesn't have a resource type "${typed}"`);
  }

  /** Resolves a kind (and optional apiVersion) from a manifest. */
  async resolveKind(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
    const match = (infos: ResourceInfo[]) =>
      infos.find((info) => info.group === group && info.kind === kind && info.version === version) ??
      infos.find((info) => info.group === group && info.kind === kind);
    let found = match(await this.all());
    if (!found) {
      this.invalidate();
      found = match(await this.all());
    }
    if (!found) {
      throw new KubectlError(
        `error: resource mapping not found for name: "" namespace: "" from "": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`,
      );
    }
    return version === found.version ? found : { ...found, version };
  }

  private async tryResolve(typed: string): Promise<ResourceInfo | undefined> {
    const infos = await this.all();
    const lower = typed.toLowerCase();
    const candidates: { name: string; version?: string; group?: string }[] = [{ name: lower }];
    const parts = lower.split(".");
    if (parts.length >= 2) candidates.push({ name: parts[0] as string, group: parts.slice(1).join(".") });
    if (parts.length >= 3)
      candidates.push({ name: parts[0] as string, version: parts[1], group: parts.slice(2).join(".") });
    for (const candidate of candidates) {
      const matches = (info: ResourceInfo) =>
        (candidate.group === undefined || info.group === candidate.group) &&
        (candidate.version === undefined || info.version === candidate.version);
      const exact =
        infos.find((info) => matches(info) && info.resource === candidate.name) ??
        infos.find((info) => matches(info) && info.singular === candidate.name);
      if (exact) return exact;
      const short = infos.filter((info) => matches(info) && info.shortNames.includes(candidate.name));
      if (short[0]) {
        this.warnAmbiguousShortName(candidate.name, short);
        return short[0];
      }
      const found = infos.find((info) => matches(info) && info.kind.toLowerCase() === candidate.name);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * client-go's shortcut expander: a short name that more than one resource declares goes to the
   * first in discovery order, with a warning naming each other one (`ev`: events and
   * events.events.k8s.io).
   */
  private warnAmbiguousShortName(name: string, matches: ResourceInfo[]): void {
    const [chosen, ...others] = matches;
    const warned = new Set<string>();
    for (const other of others) {
      const groupResource = other.group ? `${other.resource}.${other.group}` : other.resource;
      if ((other.group === chosen?.group && other.resource === chosen.resource) || warned.has(groupResource)) continue;
      warned.add(groupResource);
      this.client.onWarning?.(`short name "${name}" could also match lower priority resource ${groupResource}`);
    }
  }

  /** Resources in a category such as `all`. */
  async category(name: string): Promise<ResourceInfo[]> {
    return (await this.all()).filter((info) => info.categories.includes(name));
  }
}

function toInfos(group: string, version: string, resources: APIResource[]): ResourceInfo[] {
  const infos = new Map<string, ResourceInfo>();
  for (const resource of resources) {
    if (resource.name.includes("/")) continue;
    infos.set(resource.name, {
      group,
      version,
      resource: resource.name,
      singular: resource.singularName || resource.kind.toLowerCase(),
      kind: resource.kind,
      namespaced: resource.namespaced,
      shortNames: resource.shortNames ?? [],
      verbs: resource.verbs ?? [],
      categories: resource.categories ?? [],
      subresources: [],
    });
  }
  for (const resource of resources) {
    const [parent, sub] = resource.name.split("/");
    if (sub && parent) infos.get(parent)?.subresources.push(sub);
  }
  return [...infos.values()];
}
