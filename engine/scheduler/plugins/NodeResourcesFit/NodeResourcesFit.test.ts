import { describe, expect, it } from "vitest";
import type { Container } from "../../../api/core";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const container = (name: string, cpu: string, memory: string, restartPolicy?: string): Container => ({
  name,
  image: "busybox",
  restartPolicy,
  resources: { requests: { cpu, memory } },
});

describe("NodeResourcesFit", () => {
  const cases = [
    { name: "fits", cpu: "500m", memory: "1Gi", expected: "fits" },
    { name: "cpu", cpu: "3", memory: "1Gi", expected: "Unschedulable: Insufficient cpu" },
    { name: "memory", cpu: "1", memory: "8Gi", expected: "Unschedulable: Insufficient memory" },
    { name: "both", cpu: "3", memory: "8Gi", expected: "Unschedulable: Insufficient cpu, Insufficient memory" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      // 4 cpu / 8Gi node with one pod already using 2 cpu / 1Gi.
      const h = harness({
        nodes: [makeNode("n1", { cpu: "4", memory: "8Gi" })],
        pods: [makePod("existing", { cpu: "2", memory: "1Gi", nodeName: "n1" })],
      });
      expect(describeStatus(h.filter("NodeResourcesFit", makePod("p", { cpu: c.cpu, memory: c.memory }), "n1"))).toBe(
        c.expected,
      );
    });
  }

  it("counts pods against allocatable pods (Too many pods)", () => {
    const h = harness({
      nodes: [makeNode("n1", { pods: "1" })],
      pods: [makePod("existing", { nodeName: "n1" })],
    });
    expect(describeStatus(h.filter("NodeResourcesFit", makePod("p"), "n1"))).toBe("Unschedulable: Too many pods");
  });

  const requestCases = [
    {
      name: "init containers: the largest phase wins over the app containers",
      init: [container("init", "3", "1Gi")],
      app: [container("app", "1", "1Gi")],
      expected: "Unschedulable: Insufficient cpu",
    },
    {
      name: "sidecars add to the app containers",
      init: [container("sidecar", "1500m", "1Gi", "Always")],
      app: [container("app", "1", "1Gi")],
      expected: "Unschedulable: Insufficient cpu",
    },
    {
      name: "init containers run beside earlier sidecars",
      init: [container("sidecar", "500m", "1Gi", "Always"), container("init", "1600m", "1Gi")],
      app: [container("app", "100m", "1Gi")],
      expected: "Unschedulable: Insufficient cpu",
    },
    {
      name: "small init containers do not matter",
      init: [container("init", "100m", "1Gi")],
      app: [container("app", "1", "1Gi")],
      expected: "fits",
    },
  ];
  for (const c of requestCases) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("n1", { cpu: "2" })] });
      const pod = makePod("p", { containers: c.app, spec: { initContainers: c.init } });
      expect(describeStatus(h.filter("NodeResourcesFit", pod, "n1"))).toBe(c.expected);
    });
  }

  it("scores least allocated nodes higher, counting 100m/200Mi for pods without requests", () => {
    const h = harness({
      nodes: [makeNode("empty", { cpu: "4", memory: "8Gi" }), makeNode("busy", { cpu: "4", memory: "8Gi" })],
      pods: [makePod("existing", { cpu: "2", memory: "4Gi", nodeName: "busy" })],
    });
    // empty: cpu (4000-100)/4000 → 97, memory (8Gi-200Mi)/8Gi → 97; busy: cpu 47, memory 47.
    expect(h.score("NodeResourcesFit", makePod("p"))).toEqual({ empty: 97, busy: 47 });
  });
});
