import { describe, expect, it } from "vitest";
import type { ContainerStatus, Pod } from "../../../engine/api/core";
import { containersFromStatus } from "./criContainers";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "kube-scheduler-controlplane", namespace: "kube-system", uid: "u1" },
  spec: { containers: [{ name: "kube-scheduler", image: "registry.k8s.io/kube-scheduler:v1.32.0" }] },
};
const terminated = (id: string, startedAt: string) => ({
  containerID: `containerd://${id}`,
  exitCode: 1,
  reason: "Error",
  startedAt,
  finishedAt: startedAt,
});
const base = { name: "kube-scheduler", image: "registry.k8s.io/kube-scheduler:v1.32.0", imageID: "", ready: false };

/** What crictl ps -a lists for one container status, as containerd holds the instances. */
describe("containersFromStatus", () => {
  it.each<{ name: string; status: ContainerStatus; want: { id: string; state: string; attempt: number }[] }>([
    {
      name: "restarted and running: the previous instance Exited, the current one Running",
      status: {
        ...base,
        restartCount: 2,
        containerID: "containerd://bbb",
        state: { running: { startedAt: "2026-12-02T00:01:00Z" } },
        lastState: { terminated: terminated("aaa", "2026-12-02T00:00:30Z") },
      },
      want: [
        { id: "aaa", state: "Exited", attempt: 1 },
        { id: "bbb", state: "Running", attempt: 2 },
      ],
    },
    {
      name: "CrashLoopBackOff: the dead container is both containerID and last state, one Exited instance",
      status: {
        ...base,
        restartCount: 3,
        containerID: "containerd://ccc",
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } },
        lastState: { terminated: terminated("ccc", "2026-12-02T00:02:00Z") },
      },
      want: [{ id: "ccc", state: "Exited", attempt: 3 }],
    },
  ])("$name", ({ status, want }) => {
    const listed = containersFromStatus(pod, status, false, "sandbox").map(({ id, state, attempt }) => ({
      id,
      state,
      attempt,
    }));
    expect(listed).toEqual(want);
  });
});
