import { spawn } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, hasKubectl, KUBECTL, kubectl, startTestCluster, type TestCluster } from "./support";

/** A free local port for kubectl to listen on. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function get(
  port: number,
  path: string,
  method = "GET",
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent: false }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** `kubectl port-forward pod/web LOCAL:80` (SPDY tunneled through a WebSocket) to nginx in the pod. */
describe.skipIf(!hasKubectl)("kubectl port-forward against the standalone cluster", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("forwards a local port to nginx: the welcome page, HEAD, 404 and nginx's access log", async () => {
    expect((await kubectl(cluster, ["run", "web", "--image=nginx:1.27"])).code).toBe(0);
    expect((await kubectl(cluster, ["wait", "--for=condition=Ready", "pod/web", "--timeout=60s"])).code).toBe(0);
    const port = await freePort();
    const child = spawn(KUBECTL, ["port-forward", "pod/web", `${port}:80`], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.folder },
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    try {
      expect(await eventually(() => output.includes(`Forwarding from 127.0.0.1:${port} -> 80`))).toBe(true);
      const page = await get(port, "/");
      expect(page.status).toBe(200);
      expect(page.headers.server).toBe("nginx/1.27.3");
      expect(page.body).toContain("<title>Welcome to nginx!</title>");
      // Two requests on one forwarded connection each, in order.
      expect((await get(port, "/", "HEAD")).headers["content-length"]).toBe("615");
      const missing = await get(port, "/missing");
      expect(missing.status).toBe(404);
      expect(missing.body).toContain("<center>nginx/1.27.3</center>");
      expect(output).toContain(`Handling connection for ${port}`);
      expect(output).not.toContain("error");
      const logs = await kubectl(cluster, ["logs", "web"]);
      expect(logs.stdout).toContain('"GET / HTTP/1.1" 200 615');
      expect(logs.stdout).toContain('"GET /missing HTTP/1.1" 404');
    } finally {
      child.kill();
    }
    // A port nothing listens on: kubectl reports the kubelet's error.
    const closed = await freePort();
    const refused = spawn(KUBECTL, ["port-forward", "pod/web", `${closed}:81`], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.folder },
    });
    let refusedOutput = "";
    refused.stderr.on("data", (chunk) => {
      refusedOutput += chunk;
    });
    refused.stdout.on("data", (chunk) => {
      refusedOutput += chunk;
    });
    try {
      expect(await eventually(() => refusedOutput.includes(`Forwarding from 127.0.0.1:${closed} -> 81`))).toBe(true);
      await get(closed, "/").catch(() => undefined);
      const found = await eventually(() => /error forwarding port 81 to pod/.test(refusedOutput));
      if (!found) console.log(refusedOutput);
      expect(found).toBe(true);
    } finally {
      refused.kill();
    }
  }, 120_000);
});
