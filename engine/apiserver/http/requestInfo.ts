/**
 * Parses a request path the way upstream's `RequestInfoFactory.NewRequestInfo`
 * (apiserver/pkg/endpoints/request/requestinfo.go) does: `/api/v1/...` and `/apis/<group>/<version>/...`
 * are resource requests; everything else (discovery roots, /version, /openapi, /healthz …) is not.
 */

export type RequestVerb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "delete"
  | "deletecollection"
  | "proxy"
  | "";

export interface ResourceRequestInfo {
  isResourceRequest: true;
  verb: RequestVerb;
  apiPrefix: "api" | "apis";
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Path segments after the version and namespace: resource/name/subresource/… */
  parts: string[];
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/** Subresources of a namespace that stay on the `namespaces` resource (`/api/v1/namespaces/x/status`). */
const namespaceSubresources = new Set(["status", "finalize"]);

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string): boolean | undefined {
  switch (value) {
    case "1":
    case "t":
    case "T":
    case "true":
    case "TRUE":
    case "True":
      return true;
    case "0":
    case "f":
    case "F":
    case "false":
    case "FALSE":
    case "False":
      return false;
    default:
      return undefined;
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? [] : trimmed.split("/");
}

/**
 * `path` is the URL path without the query (percent-decoding is applied per segment, as Go's
 * url.Path is decoded); `query` decides list versus watch for a GET without a name.
 */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  let parts: string[];
  try {
    parts = splitPath(path).map((segment) => decodeURIComponent(segment));
  } catch {
    return { isResourceRequest: false, path };
  }
  if (parts.length < 3) return { isResourceRequest: false, path };
  const apiPrefix = parts[0];
  if (apiPrefix !== "api" && apiPrefix !== "apis") return { isResourceRequest: false, path };
  let current = parts.slice(1);
  let group = "";
  if (apiPrefix === "apis") {
    if (current.length < 3) return { isResourceRequest: false, path };
    group = current[0];
    current = current.slice(1);
  }
  const version = current[0];
  current = current.slice(1);

  let verb: RequestVerb;
  if (current[0] === "watch" || current[0] === "proxy") {
    if (current.length < 2) return { isResourceRequest: false, path };
    verb = current[0];
    current = current.slice(1);
  } else {
    switch (method) {
      case "POST":
        verb = "create";
        break;
      case "GET":
      case "HEAD":
        verb = "get";
        break;
      case "PUT":
        verb = "update";
        break;
      case "PATCH":
        verb = "patch";
        break;
      case "DELETE":
        verb = "delete";
        break;
      default:
        verb = "";
    }
  }

  let namespace: string | undefined;
  if (current[0] === "namespaces") {
    if (current.length > 1) {
      namespace = current[1];
      if (current.length > 2 && !namespaceSubresources.has(current[2])) current = current.slice(2);
    }
  }

  const info: ResourceRequestInfo = {
    isResourceRequest: true,
    verb,
    apiPrefix,
    group,
    version,
    resource: current[0] ?? "",
    namespace,
    parts: current,
  };
  if (current.length >= 3 && verb !== "proxy") info.subresource = current[2];
  if (current.length >= 2) info.name = current[1];

  if (!info.name && info.verb === "get") {
    const watch = query.get("watch");
    info.verb = watch !== null && watch !== "" && parseGoBool(watch) !== false ? "watch" : "list";
  }
  if (!info.name && info.verb === "delete") info.verb = "deletecollection";
  return info;
}
