import { afterAll, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../engine/clock/VirtualClock";
import type { InMemoryNodeFileSystem } from "../../../engine/kubelet/NodeFileSystem";
import { startNodeToolCluster } from "./testCluster";

describe("systemctl and journalctl on a node", async () => {
  const {
    clock,
    cluster,
    fileSystems,
    run: runTool,
  } = await startNodeToolCluster({
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    nodes: 1,
  });
  afterAll(() => cluster.stop());
  const run = (argv: string[]) => runTool("node01", argv);

  it("stop, status, is-active, start", async () => {
    await clock.advance(300_000);
    expect(await run(["systemctl", "stop", "kubelet"])).toEqual({ status: 0, stdout: "", stderr: "" });
    await clock.advance(3_000);
    const status = await run(["systemctl", "status", "kubelet", "-n", "3"]);
    expect(status.status).toBe(3);
    const pid = /Main PID: (\d+)/.exec(status.stdout)?.[1];
    expect(status.stdout).toBe(
      [
        "○ kubelet.service - kubelet: The Kubernetes Node Agent",
        "     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; enabled; preset: enabled)",
        "    Drop-In: /usr/lib/systemd/system/kubelet.service.d",
        "             └─10-kubeadm.conf",
        "     Active: inactive (dead) since Thu 2026-01-01 00:05:00 UTC; 3s ago",
        "   Duration: 5min",
        "       Docs: https://kubernetes.io/docs/",
        `    Process: ${pid} ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS (code=exited, status=0/SUCCESS)`,
        `   Main PID: ${pid} (code=exited, status=0/SUCCESS)`,
        "",
        "Jan 01 00:05:00 node01 systemd[1]: Stopping kubelet.service - kubelet: The Kubernetes Node Agent...",
        "Jan 01 00:05:00 node01 systemd[1]: kubelet.service: Deactivated successfully.",
        "Jan 01 00:05:00 node01 systemd[1]: Stopped kubelet.service - kubelet: The Kubernetes Node Agent.",
        "",
      ].join("\n"),
    );
    expect(await run(["systemctl", "is-active", "kubelet"])).toEqual({ status: 3, stdout: "inactive\n", stderr: "" });
    expect((await run(["systemctl", "start", "kubelet"])).status).toBe(0);
    expect(await run(["systemctl", "is-active", "kubelet"])).toEqual({ status: 0, stdout: "active\n", stderr: "" });
    const running = await run(["systemctl", "status", "kubelet", "-n", "0"]);
    expect(running.stdout).toMatch(/^● kubelet\.service/);
    expect(running.stdout).toContain("     Active: active (running) since Thu 2026-01-01 00:05:03 UTC; 0s ago\n");
    expect(running.stdout).toMatch(
      /CGroup: \/system\.slice\/kubelet\.service\n {13}└─\d+ \/usr\/bin\/kubelet --bootstrap-kubeconfig=\/etc\/kubernetes\/bootstrap-kubelet\.conf --kubeconfig=\/etc\/kubernetes\/kubelet\.conf --config=\/var\/lib\/kubelet\/config\.yaml --container-runtime-endpoint=unix:\/\/\/var\/run\/containerd\/containerd\.sock --pod-infra-container-image=registry\.k8s\.io\/pause:3\.10\n/,
    );
  }, 60_000);

  it("a broken config: activating (auto-restart) and the kubelet's error in journalctl -u kubelet", async () => {
    const fs = fileSystems.get("node01") as InMemoryNodeFileSystem;
    await fs.writeFile(
      "/var/lib/kubelet/config.yaml",
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nmaxPods: "110"\n',
    );
    await run(["systemctl", "restart", "kubelet"]);
    await clock.advance(2_000);
    const status = await run(["systemctl", "status", "kubelet", "--no-pager", "-n", "0"]);
    expect(status.stdout).toContain(
      "     Active: activating (auto-restart) (Result: exit-code) since Thu 2026-01-01 00:05:03 UTC; 2s ago\n",
    );
    expect(status.stdout).toMatch(/ Main PID: \d+ \(code=exited, status=1\/FAILURE\)\n/);
    const journal = await run(["journalctl", "-u", "kubelet", "--no-pager"]);
    expect(journal.stdout).toMatch(
      /\nJan 01 00:05:03 node01 kubelet\[\d+\]: E0101 00:05:03\.000000 +\d+ run\.go:72\] "command failed" err="failed to load kubelet config file, path: \/var\/lib\/kubelet\/config\.yaml, error: failed to load Kubelet config file \/var\/lib\/kubelet\/config\.yaml, error failed to decode: json: cannot unmarshal string into Go struct field KubeletConfiguration\.maxPods of type int32"\nJan 01 00:05:03 node01 systemd\[1\]: kubelet\.service: Main process exited, code=exited, status=1\/FAILURE\nJan 01 00:05:03 node01 systemd\[1\]: kubelet\.service: Failed with result 'exit-code'\.\n/,
    );
  }, 60_000);

  it("containerd stopped: crictl cannot reach its socket", async () => {
    await run(["systemctl", "stop", "containerd"]);
    expect(await run(["crictl", "ps"])).toEqual({
      status: 1,
      stdout: "",
      stderr:
        'FATA[0000] validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory"\n',
    });
    await run(["systemctl", "start", "containerd"]);
    expect((await run(["crictl", "ps"])).status).toBe(0);
  }, 60_000);
});
