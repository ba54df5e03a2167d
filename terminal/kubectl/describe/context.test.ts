import { describe, expect, it } from "vitest";
import { describeEvents } from "./context";
import { DescribeWriter } from "./format";

const now = new Date("2026-11-30T12:00:10Z");

function kubeletEvent(reason: string, at: string) {
  return { type: "Normal", reason, message: reason, source: { component: "kubelet" }, lastTimestamp: at, count: 1 };
}

describe("describeEvents", () => {
  it("orders by lastTimestamp alone, so an events.k8s.io event (eventTime only) comes first, as kubectl 1.32 does", () => {
    const w = new DescribeWriter();
    describeEvents(
      w,
      {
        items: [
          kubeletEvent("Pulling", "2026-11-30T12:00:05Z"),
          kubeletEvent("Started", "2026-11-30T12:00:05Z"),
          {
            type: "Normal",
            reason: "Scheduled",
            message: "Successfully assigned default/solo to node01",
            reportingComponent: "default-scheduler",
            eventTime: "2026-11-30T12:00:05.162000Z",
          },
          kubeletEvent("Killing", "2026-11-30T12:00:04Z"),
        ],
      },
      now,
    );
    const reasons = w
      .toString()
      .split("\n")
      .slice(3)
      .filter(Boolean)
      .map((line) => line.trim().split(/\s+/)[1]);
    // The kubelet's two events in the same second keep the server's order.
    expect(reasons).toEqual(["Scheduled", "Killing", "Pulling", "Started"]);
  });

  it("places events of the same second as Go's sort.Sort does once there are more than 12", () => {
    // Seconds 05/04 in the pattern goSort.test.ts traces by hand (1A 0B 1C … 0M → G B M K E I D H F J A L C).
    const letters = "ABCDEFGHIJKLM";
    const seconds = [5, 4, 5, 5, 4, 5, 4, 5, 4, 5, 4, 5, 4];
    const w = new DescribeWriter();
    describeEvents(
      w,
      { items: seconds.map((second, index) => kubeletEvent(letters[index] as string, `2026-11-30T12:00:0${second}Z`)) },
      now,
    );
    const reasons = w
      .toString()
      .split("\n")
      .slice(3)
      .filter(Boolean)
      .map((line) => line.trim().split(/\s+/)[1])
      .join("");
    expect(reasons).toBe("GBMKEIDHFJALC");
  });
});
