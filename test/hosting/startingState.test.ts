import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Pods } from "../../engine/api/resources";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { applyStartingStateToCluster } from "../../grader/run/hostedStartingState";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const staticPod = `apiVersion: v1
kind: Pod
metadata:
  name: static-web
spec:
  containers:
  - name: web
    image: nginx:1.27
`;

describe("a hosted cluster reset to a lesson's starting state (the grader's hook)", () => {
  it("places node files (a static pod the kubelet runs) and home files, and applies manifests", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "kubelab-starting-"));
    folders.push(folder);
    const home = path.join(folder, "learners", "someone", "home");
    const host = new ClusterHost({
      dataDir: path.join(folder, "clusters"),
      speed: "fast",
      applyStartingState: applyStartingStateToCluster,
    });
    try {
      const { id } = await host.create();
      await host.reset(
        id,
        {
          manifests: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seeded}\ndata: {a: '1'}\n",
          files: [
            { node: "node01", path: "/etc/kubernetes/manifests/static-web.yaml", content: staticPod },
            { home: true, path: "~/broken.yaml", content: "kind: Deployment\n" },
          ],
          waitFor: [{ kind: "Pod", name: "static-web-node01", namespace: "default", condition: "Ready" }],
        },
        { home },
      );
      const cluster = host.engineOf(id);
      const mirror = await cluster?.client().get(Pods, "default", "static-web-node01");
      expect(mirror?.spec?.nodeName).toBe("node01");
      expect(readFileSync(path.join(home, "broken.yaml"), "utf8")).toBe("kind: Deployment\n");
    } finally {
      await host.close();
    }
  }, 60_000);
});
