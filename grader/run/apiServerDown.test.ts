import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import { connectionFromKubeConfig } from "../../terminal/kubectl/kubeconfig";
import { RestClient } from "../../terminal/kubectl/RestClient";
import { runCheck } from "../checks/index";
import { Check } from "../format/schema";
import { GradingCluster } from "./GradingCluster";

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * A hosted cluster whose kube-apiserver static pod is not running (here: reported down to its
 * ControlPlaneStatus, as the control plane's runtime does when the manifest is moved away): the
 * learner's kubectl says the connection was refused, and the Check button reports "cannot reach
 * the cluster" as an error, never a failing grade. Reset gives a cluster that serves.
 */
describe("a hosted cluster without kube-apiserver", () => {
  it("refuses the learner's kubectl and the grader, and serves again after a reset", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "kubelab-apidown-"));
    closers.push(() => rmSync(folder, { recursive: true, force: true }));
    const host = new ClusterHost({ dataDir: folder, components: [], persistDelayMs: 50 });
    const served = await serveHost(host);
    closers.push(async () => {
      await served.close();
      await host.close();
    });
    const { id, token } = await host.create();
    const kubeconfig = host.kubeconfig(id, token, `${served.url}${host.pathOf(id)}`);
    const grading = new GradingCluster(kubeconfig);
    const rest = new RestClient(connectionFromKubeConfig(grading.kubeConfig));
    expect((await rest.raw("GET", "/api/v1/namespaces/default")).statusCode).toBe(200);

    host.engineOf(id)?.controlPlane.failed("kube-apiserver");
    const hostPort = new URL(served.url).host;
    await expect(rest.raw("GET", "/api/v1/namespaces/default")).rejects.toThrow(
      `The connection to the server ${hostPort} was refused - did you specify the right host or port?`,
    );
    const check = Check.parse({ type: "exists", kind: "Namespace", name: "default" });
    const result = await runCheck(check, 0, { cluster: grading, lessonFolder: folder }, { noWait: true });
    expect(result).toMatchObject({ status: "error", message: "cannot reach the cluster", points: 0 });

    await host.reset(id);
    expect((await rest.raw("GET", "/api/v1/namespaces/default")).statusCode).toBe(200);
    const again = await runCheck(
      check,
      0,
      { cluster: new GradingCluster(kubeconfig), lessonFolder: folder },
      { noWait: true },
    );
    expect(again.status).toBe("pass");
  }, 60_000);
});
