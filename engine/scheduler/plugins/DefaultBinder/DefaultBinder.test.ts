import { describe, expect, it } from "vitest";
import type { Pod } from "../../../api/core";
import { Pods } from "../../../api/resources";
import { newPodInfo } from "../../framework/PodInfo";
import { makeNode, makePod } from "../../testing/builders";
import { harness } from "../../testing/harness";

describe("DefaultBinder", () => {
  const cases = [
    { name: "binds a pending pod", nodeName: undefined, expectedError: false },
    { name: "reports the API's refusal for a bound pod", nodeName: "other", expectedError: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness({ nodes: [makeNode("n1")] });
      const pod = makePod("p", { nodeName: c.nodeName });
      await h.client.create(Pods, pod);
      const status = await h.plugin("DefaultBinder").bind?.(h.framework.newCycleState(), newPodInfo(pod), "n1");
      expect(status !== null).toBe(c.expectedError);
      if (!c.expectedError) expect((await h.client.get<Pod>(Pods, "default", "p")).spec?.nodeName).toBe("n1");
    });
  }
});
