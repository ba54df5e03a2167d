import { describe, expect, it } from "vitest";
import { makeNode, makePod } from "../../testing/builders";
import { harness } from "../../testing/harness";

const mb = 1024 * 1024;

describe("ImageLocality", () => {
  it("skips when no node has the image", () => {
    const h = harness({ nodes: [makeNode("a"), makeNode("b")] });
    expect(h.score("ImageLocality", makePod("p"))).toBeUndefined();
  });

  it("favors the node with the image, scaled by how many nodes have it", () => {
    const h = harness({
      nodes: [makeNode("with", { images: [{ names: ["nginx:latest"], sizeBytes: 500 * mb }] }), makeNode("without")],
    });
    // 500MB × 1/2 nodes = 250MB; (250 − 23) / (1000 − 23) × 100 = 23.
    expect(h.score("ImageLocality", makePod("p"))).toEqual({ with: 23, without: 0 });
  });

  const sizes = [
    { name: "below the 23MB threshold scores 0", size: 20 * mb, expected: 0 },
    { name: "above the per-container ceiling scores 100", size: 3000 * mb, expected: 100 },
  ];
  for (const c of sizes) {
    it(c.name, () => {
      const h = harness({ nodes: [makeNode("with", { images: [{ names: ["nginx:latest"], sizeBytes: c.size }] })] });
      expect(h.score("ImageLocality", makePod("p"))?.with).toBe(c.expected);
    });
  }
});
