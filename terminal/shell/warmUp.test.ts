import { describe, expect, it } from "vitest";
import { loadKubeconfig } from "../kubectl/kubeconfig";
import { warmUp } from "./Shell";

describe("warmUp", () => {
  it("runs the first command's code on samples and leaves nothing behind for the learner's kubeconfig", async () => {
    await warmUp();
    const text = `apiVersion: v1
kind: Config
clusters: [{name: mine, cluster: {server: "http://10.0.0.1:6443"}}]
users: [{name: me, user: {token: secret}}]
contexts: [{name: here, context: {cluster: mine, user: me, namespace: lesson}}]
current-context: here
`;
    const io = {
      stdout: () => undefined,
      stderr: () => undefined,
      readStdin: async () => "",
      readFile: async () => text,
      writeFile: async () => undefined,
      readDirectory: async () => undefined,
      env: { KUBECONFIG: "/root/.kube/config" },
    };
    const loaded = await loadKubeconfig(io);
    expect(loaded.connection.server).toBe("http://10.0.0.1:6443");
    expect(loaded.namespace).toBe("lesson");
    expect(loaded.currentContext).toBe("here");
  });
});
