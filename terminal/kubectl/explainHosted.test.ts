import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import type { KubectlIO } from "./KubectlIO";
import { runKubectl } from "./kubectl";

/**
 * `kubectl explain` against a hosted cluster (server URL with a /clusters/<id> path): the OpenAPI
 * v3 index lists serverRelativeURL from the server's root (with the mount path, which the real
 * kubectl 1.32 needs), so Kubelab's kubectl must not add its server's path again.
 */
describe("kubectl explain on a hosted cluster", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-explain-"));
  let host: ClusterHost;
  let close: () => Promise<void>;
  let server: string;
  let token: string;
  let id: string;

  beforeAll(async () => {
    host = new ClusterHost({ dataDir: path.join(folder, "data"), components: [] });
    const served = await serveHost(host);
    close = served.close;
    ({ id, token } = await host.create());
    server = `${served.url}${host.pathOf(id)}`;
  }, 60_000);

  afterAll(async () => {
    await close?.();
    await host?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function kubectl(serverUrl: string, args: string[]): Promise<{ status: number; out: string; err: string }> {
    const kubeconfig = path.join(folder, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    writeFileSync(kubeconfig, host.kubeconfig(id, token, serverUrl));
    let out = "";
    let err = "";
    const io: KubectlIO = {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      readStdin: async () => "",
      readFile: async (file) => readFileSync(file, "utf8"),
      writeFile: async () => undefined,
      readDirectory: async () => undefined,
      env: { KUBECONFIG: kubeconfig, HOME: folder },
    };
    const status = await runKubectl(args, io);
    return { status, out, err };
  }

  it.each([
    ["without", ""],
    ["with", "/"],
  ])("finds the schema with a server URL %s a trailing slash", async (_, slash) => {
    const result = await kubectl(`${server}${slash}`, ["explain", "pods.spec.containers.image"]);
    expect(result.err).toBe("");
    expect(result.status).toBe(0);
    expect(result.out).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n\nFIELD: image <string>/);
  });
});
