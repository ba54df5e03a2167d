import { describe, expect, it } from "vitest";
import { parseRequestInfo } from "./requestInfo";

describe("parseRequestInfo", () => {
  const cases = [
    {
      name: "core list",
      method: "GET",
      url: "/api/v1/namespaces/default/pods",
      want: { verb: "list", resource: "pods", namespace: "default" },
    },
    {
      name: "core get",
      method: "GET",
      url: "/api/v1/namespaces/default/pods/web",
      want: { verb: "get", resource: "pods", name: "web" },
    },
    {
      name: "subresource",
      method: "GET",
      url: "/api/v1/namespaces/default/pods/web/log",
      want: { verb: "get", name: "web", subresource: "log" },
    },
    {
      name: "watch param",
      method: "GET",
      url: "/api/v1/pods?watch=true",
      want: { verb: "watch", resource: "pods", namespace: undefined },
    },
    { name: "watch=0 is a list", method: "GET", url: "/api/v1/pods?watch=0", want: { verb: "list" } },
    {
      name: "legacy watch prefix",
      method: "GET",
      url: "/api/v1/watch/namespaces/default/pods/web",
      want: { verb: "watch", name: "web", namespace: "default" },
    },
    {
      name: "group",
      method: "POST",
      url: "/apis/apps/v1/namespaces/default/deployments",
      want: { verb: "create", group: "apps", version: "v1", resource: "deployments" },
    },
    {
      name: "scale",
      method: "PATCH",
      url: "/apis/apps/v1/namespaces/default/deployments/web/scale",
      want: { verb: "patch", subresource: "scale" },
    },
    {
      name: "cluster scoped",
      method: "GET",
      url: "/api/v1/nodes/node01",
      want: { verb: "get", resource: "nodes", name: "node01", namespace: undefined },
    },
    {
      name: "namespace object",
      method: "GET",
      url: "/api/v1/namespaces/dev",
      want: { verb: "get", resource: "namespaces", name: "dev", namespace: "dev" },
    },
    {
      name: "namespace status",
      method: "PUT",
      url: "/api/v1/namespaces/dev/status",
      want: { verb: "update", resource: "namespaces", name: "dev", subresource: "status" },
    },
    {
      name: "namespace finalize",
      method: "PUT",
      url: "/api/v1/namespaces/dev/finalize",
      want: { resource: "namespaces", subresource: "finalize" },
    },
    {
      name: "deletecollection",
      method: "DELETE",
      url: "/api/v1/namespaces/default/pods",
      want: { verb: "deletecollection" },
    },
  ];
  it.each(cases)("$name", ({ method, url, want }) => {
    const [path, search = ""] = url.split("?");
    const info = parseRequestInfo(method, path, new URLSearchParams(search));
    expect(info.isResourceRequest).toBe(true);
    expect(info).toMatchObject(want);
  });

  it.each(["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version", "/openapi/v3/api/v1", "/healthz"])(
    "%s is not a resource request",
    (path) => {
      expect(parseRequestInfo("GET", path, new URLSearchParams()).isResourceRequest).toBe(false);
    },
  );
});
