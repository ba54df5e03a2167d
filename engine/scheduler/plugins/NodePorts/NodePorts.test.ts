import { describe, expect, it } from "vitest";
import { makeNode, makePod } from "../../testing/builders";
import { describeStatus, harness } from "../../testing/harness";

const withPort = (
  name: string,
  hostPort: number,
  options: { hostIP?: string; protocol?: string; nodeName?: string } = {},
) =>
  makePod(name, {
    nodeName: options.nodeName,
    containers: [
      {
        name: "c",
        image: "nginx",
        ports: [{ containerPort: 80, hostPort, hostIP: options.hostIP, protocol: options.protocol }],
      },
    ],
  });

describe("NodePorts", () => {
  const conflict = "Unschedulable: node(s) didn't have free ports for the requested pod ports";
  const cases = [
    { name: "no host ports skips", pod: makePod("p"), expected: "skip" },
    { name: "free port", pod: withPort("p", 8081), expected: "fits" },
    { name: "same port", pod: withPort("p", 8080), expected: conflict },
    { name: "same port, other protocol", pod: withPort("p", 8080, { protocol: "UDP" }), expected: "fits" },
    { name: "specific IP against 0.0.0.0", pod: withPort("p", 8080, { hostIP: "10.0.0.1" }), expected: conflict },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("n1")], pods: [withPort("existing", 8080, { nodeName: "n1" })] });
      expect(describeStatus(h.filter("NodePorts", c.pod, "n1"))).toBe(c.expected);
    });
  }
});
