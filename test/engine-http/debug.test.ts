import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  hasKubectl,
  KUBECTL,
  KUBELAB_KUBECTL,
  kubectl,
  kubectlInTerminal,
  startTestCluster,
  type TestCluster,
} from "./support";

/**
 * `kubectl debug -it` in a pseudo-terminal against the standalone cluster: an ephemeral container
 * in a running pod and a pod on a node, attached through the terminal. The real kubectl 1.32 and
 * Kubelab's (`kubelab kubectl` as a process) must draw the same screen and end the same way.
 * Skipped with a notice (support.ts) without /usr/bin/kubectl.
 */
describe.skipIf(!hasKubectl)("kubectl debug -it", () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const inTerminal = (command: string[], keys: string[]) => kubectlInTerminal(cluster, command, keys);
  const commands = {
    real: [KUBECTL],
    ours: KUBELAB_KUBECTL,
  };
  const hint = "If you don't see a command prompt, try pressing enter.\r\n";

  it("an ephemeral container in a running pod: the shell, then the ephemeral reattach line", async () => {
    const screens: Record<string, { screen: string; code: number }> = {};
    for (const [who, command] of Object.entries(commands)) {
      const pod = `dbg-${who}`;
      await kubectl(cluster, ["run", pod, "--image=nginx"]);
      await kubectl(cluster, ["wait", "--for=condition=Ready", `pod/${pod}`, "--timeout=60s"]);
      const result = await inTerminal(
        [...command, "debug", pod, "-it", "--image=busybox", "-c", "shell", "--profile=general", `--target=${pod}`],
        ["ps\r", "exit\r"],
      );
      screens[who] = { screen: result.screen.split(pod).join("POD"), code: result.code };
      const status = await kubectl(cluster, [
        "get",
        "pod",
        pod,
        "-o",
        "jsonpath={.status.ephemeralContainerStatuses[0].state.terminated.reason}",
      ]);
      expect(status.stdout).toBe("Completed");
    }
    expect(screens.real).toEqual({
      code: 0,
      screen:
        `Targeting container "POD". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\r\n` +
        `${hint}ps\r\nPID   USER     TIME  COMMAND\r\n    1 root      0:00 nginx -g daemon off;\r\n    7 root      0:00 sh\r\n` +
        `/ # exit\r\nSession ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach POD -c shell -i -t' if it is still running\r\n`,
    });
    expect(screens.ours).toEqual(screens.real);
  }, 180_000);

  it("a node: a pod in the host's namespaces with the node's files at /host", async () => {
    const screens: Record<string, { screen: string; code: number }> = {};
    for (const [who, command] of Object.entries(commands)) {
      const result = await inTerminal(
        [...command, "debug", "node/node01", "-it", "--image=busybox", "--profile=general"],
        ["hostname; cat /host/etc/hostname; grep PRETTY /host/etc/os-release\r", "exit\r"],
      );
      screens[who] = {
        screen: result.screen.replace(/node-debugger-node01-[a-z0-9]{5}/, "node-debugger-node01-XXXXX"),
        code: result.code,
      };
    }
    expect(screens.real).toEqual({
      code: 0,
      screen:
        "Creating debugging pod node-debugger-node01-XXXXX with container debugger on node node01.\r\n" +
        `${hint}hostname; cat /host/etc/hostname; grep PRETTY /host/etc/os-release\r\nnode01\r\nnode01\r\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\r\n/ # exit\r\n`,
    });
    expect(screens.ours).toEqual(screens.real);
  }, 180_000);
});
