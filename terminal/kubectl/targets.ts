import type { CommandContext } from "./Command";
import type { ResourceInfo } from "./Discovery";
import { KubectlError } from "./errors";

/** One resource type and the names asked for (empty: the whole collection). */
export interface Target {
  info: ResourceInfo;
  names: string[];
}

/**
 * Resolves `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…` arguments as kubectl's resource builder does.
 * `all` expands to the `all` category.
 */
export async function resolveTargets(context: CommandContext, args: string[]): Promise<Target[]> {
  const discovery = await context.discovery();
  const slashed = args.filter((arg) => arg.includes("/"));
  if (slashed.length > 0) {
    if (slashed.length !== args.length) {
      throw new KubectlError(
        "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
      );
    }
    const targets: Target[] = [];
    for (const arg of args) {
      const slash = arg.indexOf("/");
      const typed = arg.slice(0, slash);
      const name = arg.slice(slash + 1);
      if (name === "")
        throw new KubectlError(`error: arguments in resource/name form must have a single resource and name`);
      const info = await discovery.resolve(typed);
      const last = targets[targets.length - 1];
      if (last && last.info.resource === info.resource && last.info.group === info.group) last.names.push(name);
      else targets.push({ info, names: [name] });
    }
    return targets;
  }
  const [types, ...names] = args;
  if (types === undefined) return [];
  const infos: ResourceInfo[] = [];
  for (const typed of types.split(",").filter((part) => part !== "")) {
    if (typed.toLowerCase() === "all") infos.push(...(await allCategory(context)));
    else infos.push(await discovery.resolve(typed));
  }
  const seen = new Set<string>();
  return infos
    .filter((info) => {
      const key = `${info.group}/${info.resource}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((info) => ({ info, names: [...names] }));
}

/** kubectl's `all` category, in kubectl's printing order. */
async function allCategory(context: CommandContext): Promise<ResourceInfo[]> {
  const discovery = await context.discovery();
  const members = await discovery.category("all");
  const order = [
    "pods",
    "replicationcontrollers",
    "services",
    "daemonsets",
    "deployments",
    "replicasets",
    "statefulsets",
    "horizontalpodautoscalers",
    "cronjobs",
    "jobs",
  ];
  return [...members].sort((a, b) => {
    const ai = order.indexOf(a.resource);
    const bi = order.indexOf(b.resource);
    return (ai < 0 ? 99 : ai) - (bi < 0 ? 99 : bi);
  });
}
