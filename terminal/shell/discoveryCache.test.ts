import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Shell } from "./Shell";

/** A tiny API server: core v1 discovery and a pod list, counting the discovery requests. */
const discoveryRequests: string[] = [];
const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  const json = (body: unknown) =>
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  if (url.pathname === "/api" || url.pathname === "/apis" || url.pathname === "/api/v1")
    discoveryRequests.push(url.pathname);
  if (url.pathname === "/api") return json({ kind: "APIVersions", versions: ["v1"] });
  if (url.pathname === "/apis") return json({ kind: "APIGroupList", apiVersion: "v1", groups: [] });
  if (url.pathname === "/api/v1")
    return json({
      kind: "APIResourceList",
      groupVersion: "v1",
      resources: [
        {
          name: "pods",
          singularName: "pod",
          namespaced: true,
          kind: "Pod",
          verbs: ["get", "list"],
          shortNames: ["po"],
        },
      ],
    });
  if (url.pathname === "/api/v1/namespaces/default/pods")
    return json({
      kind: "PodList",
      apiVersion: "v1",
      metadata: {},
      items: [{ metadata: { name: "web", namespace: "default" } }],
    });
  response.writeHead(404).end();
});

describe("discovery in a long-lived shell", () => {
  let kubeconfig = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    kubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;
  });
  afterAll(() => {
    vi.useRealTimers();
    server.close();
  });

  it("is fetched once the new shell has been idle at its prompt, not while the learner types", async () => {
    vi.useRealTimers();
    const before = discoveryRequests.filter((request) => request === "/api").length;
    const fetches = () => discoveryRequests.filter((request) => request === "/api").length - before;
    let output = "";
    const shell = new Shell({
      homeDirectory: mkdtempSync(path.join(tmpdir(), "kubelab-discovery-test-")),
      kubeconfig,
      write: (text) => (output += text),
      columns: 120,
      rows: 30,
    });
    await shell.start();
    for (let key = 0; key < 6; key++) {
      shell.input("x");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(fetches()).toBe(0);
    shell.input("\x15");
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fetches()).toBe(1);
    expect(await shell.execute("kubectl get pods -o name")).toBe(0);
    expect(output).toContain("pod/web");
    expect(fetches()).toBe(1);
  });

  it("is kept as kubectl's disk cache is (6 hours), and api-resources/api-versions ask the server again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    let output = "";
    const shell = new Shell({
      homeDirectory: mkdtempSync(path.join(tmpdir(), "kubelab-discovery-test-")),
      kubeconfig,
      write: (text) => (output += text),
      columns: 120,
      rows: 30,
    });
    await shell.start();
    const before = discoveryRequests.filter((request) => request === "/api").length;
    const fetches = () => discoveryRequests.filter((request) => request === "/api").length - before;
    expect(await shell.execute("kubectl get po -o name")).toBe(0);
    expect(output).toContain("pod/web");
    expect(fetches()).toBe(1);
    vi.setSystemTime(Date.now() + 5 * 60 * 60_000);
    expect(await shell.execute("kubectl get pods -o name")).toBe(0);
    expect(fetches()).toBe(1);
    await shell.execute("kubectl api-resources --cached");
    expect(fetches()).toBe(1);
    await shell.execute("kubectl api-resources");
    expect(fetches()).toBe(2);
    await shell.execute("kubectl api-versions");
    expect(fetches()).toBe(3);
    vi.setSystemTime(Date.now() + 7 * 60 * 60_000);
    await shell.execute("kubectl get pods -o name");
    expect(fetches()).toBe(4);
  });
});
