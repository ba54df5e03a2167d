import { describe, expect, it } from "vitest";
import { newPodInfo } from "../../framework/PodInfo";
import type { QueuedPodInfo } from "../../framework/types";
import { makeNode, makePod } from "../../testing/builders";
import { harness } from "../../testing/harness";

const queued = (name: string, priority: number, timestamp: number): QueuedPodInfo => ({
  info: newPodInfo(makePod(name, { priority })),
  initialAttemptTimestamp: timestamp,
  timestamp,
  attempts: 0,
  unschedulablePlugins: new Set(),
  cycle: 0,
  gated: false,
});

describe("PrioritySort", () => {
  const cases = [
    { name: "higher priority first", a: queued("a", 10, 5), b: queued("b", 0, 1), expected: true },
    { name: "lower priority later", a: queued("a", 0, 1), b: queued("b", 10, 5), expected: false },
    { name: "equal priority: earlier first", a: queued("a", 0, 1), b: queued("b", 0, 5), expected: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plugin = harness({ nodes: [makeNode("n1")] }).plugin("PrioritySort");
      expect(plugin.less?.(c.a, c.b)).toBe(c.expected);
    });
  }
});
