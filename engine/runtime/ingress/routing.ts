import type { Ingress, IngressBackend } from "../../api/networking";

/** ingress-nginx's annotation prefix (--annotations-prefix). */
const prefix = "nginx.ingress.kubernetes.io";

/** One `location` of an nginx server: a path of one Ingress and the backend it proxies to. */
export interface Location {
  path: string;
  pathType: "Exact" | "Prefix" | "ImplementationSpecific";
  /** `namespace/name` of the Ingress that defined it. */
  ingress: string;
  namespace: string;
  backend: IngressBackend;
  /** `nginx.ingress.kubernetes.io/rewrite-target`. */
  rewriteTarget?: string;
}

/** An nginx `server` block: one host (or `_`, the catch-all), its locations. */
export interface Server {
  host: string;
  locations: Location[];
  /** The backend of `location /` when no path covers it: the Ingress's defaultBackend, else the default backend. */
  rootBackend?: { namespace: string; ingress: string; backend: IngressBackend };
  /** Any Ingress of the host asks for regular expressions (use-regex or rewrite-target): all its locations become `~*`. */
  useRegex: boolean;
}

/** What a request matched: a location, or the default backend (404). */
export type Route =
  | { kind: "location"; server: Server; location: Location }
  | { kind: "root"; server: Server; namespace: string; ingress: string; backend: IngressBackend }
  | { kind: "default" };

const catchAll = "_";

function annotation(ingress: Ingress, name: string): string | undefined {
  return ingress.metadata.annotations?.[`${prefix}/${name}`];
}

/**
 * The nginx configuration ingress-nginx writes for these Ingresses (its class already checked),
 * as servers by host. Ingresses are taken oldest first, as the controller sorts them by
 * creationTimestamp: the first to claim a host and path keeps it.
 */
export function buildServers(ingresses: readonly Ingress[]): Map<string, Server> {
  const servers = new Map<string, Server>();
  const ordered = [...ingresses].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") ||
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  const server = (host: string): Server => {
    let found = servers.get(host);
    if (!found) {
      found = { host, locations: [], useRegex: false };
      servers.set(host, found);
    }
    return found;
  };
  server(catchAll);
  for (const ingress of ordered) {
    const namespace = ingress.metadata.namespace ?? "default";
    const key = `${namespace}/${ingress.metadata.name}`;
    const rewriteTarget = annotation(ingress, "rewrite-target");
    const regex = annotation(ingress, "use-regex") === "true" || rewriteTarget !== undefined;
    const defaultBackend = ingress.spec?.defaultBackend;
    if (defaultBackend) {
      const root = server(catchAll);
      root.rootBackend ??= { namespace, ingress: key, backend: defaultBackend };
    }
    for (const rule of ingress.spec?.rules ?? []) {
      const target = server(rule.host || catchAll);
      if (regex) target.useRegex = true;
      if (defaultBackend && rule.host) target.rootBackend ??= { namespace, ingress: key, backend: defaultBackend };
      for (const path of rule.http?.paths ?? []) {
        const location: Location = {
          path: path.path || "/",
          pathType: (path.pathType as Location["pathType"]) || "Prefix",
          ingress: key,
          namespace,
          backend: path.backend,
          ...(rewriteTarget !== undefined ? { rewriteTarget } : {}),
        };
        const taken = target.locations.some((l) => l.path === location.path && l.pathType === location.pathType);
        if (!taken) target.locations.push(location);
      }
    }
  }
  // ingress-nginx writes locations longest path first, which is also the order nginx tries regexes in.
  for (const each of servers.values()) each.locations.sort((a, b) => b.path.length - a.path.length);
  return servers;
}

/** The Host header as nginx's `$host`: lower-case, without the port. */
export function hostOf(header: string | undefined): string {
  const value = (header ?? "").trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  const colon = value.indexOf(":");
  return colon >= 0 ? value.slice(0, colon) : value;
}

/**
 * nginx's server_name choice: the exact name, else the longest matching `*.` wildcard (which, in
 * nginx, covers any number of leading labels), else the default server.
 */
export function findServer(servers: Map<string, Server>, host: string): Server | undefined {
  const exact = servers.get(host);
  if (exact && host !== catchAll) return exact;
  let best: Server | undefined;
  for (const [name, server] of servers) {
    if (!name.startsWith("*.")) continue;
    const suffix = name.slice(1);
    if (host.endsWith(suffix) && host.length > suffix.length && (!best || name.length > best.host.length))
      best = server;
  }
  return best ?? servers.get(catchAll);
}

/** Kubernetes' Prefix match: `/foo` (or `/foo/`) matches `/foo` and `/foo/…`, element by element. */
export function prefixMatches(path: string, uri: string): boolean {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed === "") return true;
  return uri === trimmed || uri.startsWith(`${trimmed}/`);
}

/** A location's path as ingress-nginx's `~* "^path"`, case-insensitive; undefined when nginx would refuse it. */
function regexOf(path: string): RegExp | undefined {
  try {
    return new RegExp(`^${path}`, "i");
  } catch {
    return undefined;
  }
}

/**
 * The location nginx picks for `uri` in `server`: `location = /x` (Exact) first; else the longest
 * matching prefix (Prefix by path elements, ImplementationSpecific as a plain nginx prefix). In a
 * server using regexes, every location is `~* "^path"` and the first match in ingress-nginx's
 * order (longest path first) wins.
 */
export function findLocation(server: Server, uri: string): Location | undefined {
  if (server.useRegex) return server.locations.find((location) => regexOf(location.path)?.test(uri));
  const exact = server.locations.find((location) => location.pathType === "Exact" && location.path === uri);
  if (exact) return exact;
  let best: Location | undefined;
  for (const location of server.locations) {
    const matches =
      location.pathType === "Prefix"
        ? prefixMatches(location.path, uri)
        : location.pathType === "ImplementationSpecific"
          ? uri.startsWith(location.path)
          : false;
    if (matches && (!best || location.path.length > best.path.length)) best = location;
  }
  return best;
}

/** Routes a request by its Host header and path. */
export function route(servers: Map<string, Server>, hostHeader: string | undefined, uri: string): Route {
  const server = findServer(servers, hostOf(hostHeader));
  if (!server) return { kind: "default" };
  const location = findLocation(server, uri);
  if (location) return { kind: "location", server, location };
  if (server.rootBackend) return { kind: "root", server, ...server.rootBackend };
  return { kind: "default" };
}

/**
 * `rewrite "(?i)<path>" <target> break;`: the path's regex applied to the URI, `$1`…`$9` in the
 * target replaced by its groups. Without a match the URI is left alone, as nginx does.
 */
export function rewrite(location: Location, uri: string): string {
  if (location.rewriteTarget === undefined) return uri;
  const pattern = regexOf(location.path);
  const match = pattern?.exec(uri);
  if (!match) return uri;
  const rewritten = location.rewriteTarget.replace(/\$(\d)/g, (_whole, digit: string) => match[Number(digit)] ?? "");
  return rewritten.startsWith("/") ? rewritten : `/${rewritten}`;
}
