import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { nodeAccessFromKubeconfig, withNodeAccess } from "./nodeAccessKubeconfig";

const kubeconfig = stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [
    { name: "other", cluster: { server: "https://10.0.0.1:6443" } },
    { name: "kubelab", cluster: { server: "https://127.0.0.1:6443", extensions: [{ name: "x", extension: {} }] } },
  ],
  users: [{ name: "admin", user: { token: "t" } }],
  contexts: [
    { name: "a", context: { cluster: "other", user: "admin" } },
    { name: "b", context: { cluster: "kubelab", user: "admin" } },
  ],
  "current-context": "b",
});

describe("node access in a kubeconfig", () => {
  it("is recorded on the current context's cluster, keeping its other extensions", () => {
    const written = withNodeAccess(kubeconfig, { url: "http://127.0.0.1:4000", token: "secret" });
    expect(nodeAccessFromKubeconfig(written)).toEqual({ url: "http://127.0.0.1:4000", token: "secret" });
    expect(written).toContain("name: x");
    const rewritten = withNodeAccess(written, { url: "http://127.0.0.1:4001", token: "new" });
    expect(rewritten.match(/kubelab\.dev\/node-access/g)).toHaveLength(1);
    expect(nodeAccessFromKubeconfig(rewritten)?.token).toBe("new");
  });

  it.each([
    { name: "no extension", text: kubeconfig },
    { name: "not YAML", text: "{{{" },
    { name: "empty", text: "" },
    {
      name: "another context's cluster",
      text: withNodeAccess(kubeconfig, { url: "http://127.0.0.1:4000", token: "s" }).replace(
        "current-context: b",
        "current-context: a",
      ),
    },
    {
      name: "an endpoint off loopback",
      text: withNodeAccess(kubeconfig, { url: "http://10.0.0.9:4000", token: "s" }),
    },
  ])("is absent with $name", ({ text }) => {
    expect(nodeAccessFromKubeconfig(text)).toBeUndefined();
  });
});
