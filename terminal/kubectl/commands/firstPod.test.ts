import { describe, expect, it } from "vitest";
import { goSort } from "../goSort";
import type { KubeObject } from "./common";
import { activePodsLess, byLogging } from "./pods";

interface PodShape {
  name: string;
  node?: string;
  phase: string;
  readySince?: string;
  restarts?: number;
  created: string;
}

function pod({ name, node = "node01", phase, readySince, restarts = 0, created }: PodShape): KubeObject {
  return {
    metadata: { name, creationTimestamp: created },
    spec: { nodeName: node },
    status: {
      phase,
      conditions: [{ type: "Ready", status: readySince ? "True" : "False", lastTransitionTime: readySince ?? created }],
      containerStatuses: [{ name: "app", restartCount: restarts }],
    },
  } as KubeObject;
}

const logsPick = (pods: KubeObject[]) => goSort([...pods], byLogging)[0]?.metadata?.name;
const attachPick = (pods: KubeObject[]) => goSort([...pods], (a, b) => activePodsLess(b, a))[0]?.metadata?.name;

describe("the pod logs and exec pick for a controller (GetFirstPod)", () => {
  it.each([
    {
      name: "a running ready pod over a pending one",
      pods: [
        { name: "pending", phase: "Pending", created: "2026-11-30T10:00:00Z" },
        { name: "running", phase: "Running", readySince: "2026-11-30T10:01:00Z", created: "2026-11-30T10:00:05Z" },
      ],
      logs: "running",
      attach: "running",
    },
    {
      name: "the pod ready longest",
      pods: [
        { name: "later", phase: "Running", readySince: "2026-11-30T10:05:00Z", created: "2026-11-30T10:00:00Z" },
        { name: "earlier", phase: "Running", readySince: "2026-11-30T10:01:00Z", created: "2026-11-30T10:00:00Z" },
      ],
      logs: "earlier",
      attach: "earlier",
    },
    {
      name: "more restarts first",
      pods: [
        { name: "calm", phase: "Running", readySince: "2026-11-30T10:01:00Z", created: "2026-11-30T10:00:00Z" },
        {
          name: "restarting",
          phase: "Running",
          readySince: "2026-11-30T10:01:00Z",
          restarts: 3,
          created: "2026-11-30T10:00:00Z",
        },
      ],
      logs: "restarting",
      attach: "calm",
    },
    {
      // ByLogging ranks a phase it does not know (Succeeded) with Running; ActivePods with Pending.
      name: "a finished pod against a pending one",
      pods: [
        { name: "pending", phase: "Pending", created: "2026-11-30T10:00:00Z" },
        { name: "done", phase: "Succeeded", created: "2026-11-30T10:02:00Z" },
      ],
      logs: "done",
      attach: "pending",
    },
    {
      name: "an assigned pod over an unscheduled one",
      pods: [
        { name: "unscheduled", node: "", phase: "Pending", created: "2026-11-30T10:00:00Z" },
        { name: "scheduled", phase: "Pending", created: "2026-11-30T10:03:00Z" },
      ],
      logs: "scheduled",
      attach: "scheduled",
    },
  ])("$name", ({ pods, logs, attach }) => {
    const objects = pods.map(pod);
    expect(logsPick(objects)).toBe(logs);
    expect(attachPick(objects)).toBe(attach);
  });
});
