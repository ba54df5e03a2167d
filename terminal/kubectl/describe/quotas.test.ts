import { describe, expect, it } from "vitest";
import type { DescribeContext } from "./context";
import { describeResourceQuota } from "./quotas";

const context = {} as DescribeContext;

describe("describe resourcequota", () => {
  it("shows used amounts in the hard limit's format, resources sorted, scopes with their help", async () => {
    const text = await describeResourceQuota(context, {
      metadata: { name: "compute", namespace: "team" },
      spec: { scopes: ["NotTerminating", "BestEffort"] },
      status: {
        hard: { "requests.memory": "1G", pods: "5", "limits.memory": "2Gi", "requests.storage": "10Gi" },
        used: { "requests.memory": "256Mi", pods: "2", "limits.memory": "512Mi" },
      },
    } as never);
    expect(text).toBe(
      [
        "Name:       compute",
        "Namespace:  team",
        "Scopes:     BestEffort, NotTerminating",
        " * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        " * Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "Resource          Used       Hard",
        "--------          ----       ----",
        "limits.memory     512Mi      2Gi",
        "pods              2          5",
        "requests.memory   268435456  1G",
        "requests.storage  0          10Gi",
        "",
      ].join("\n"),
    );
  });
});
