import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

describe("kubectl cluster-info dump", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
  }, 60_000);
  afterAll(async () => cluster?.close());

  it("prints the node list, then each namespace's lists, and stops at the first list the server refuses", async () => {
    const result = await cluster.kubectl("cluster-info", "dump", "-o", "jsonpath={.kind}{'\\n'}");
    // Kubelab's API server has no replicationcontrollers: kubectl 1.32 stops there with its error.
    expect(result).toEqual({
      status: 1,
      out: "NodeList\nEventList\n",
      err: "Error from server (NotFound): the server could not find the requested resource\n",
    });
  });

  it("refuses -o name for lists as kubectl's name printer does", async () => {
    const result = await cluster.kubectl("cluster-info", "dump", "-o", "name");
    expect(result).toEqual({
      status: 1,
      out: "",
      err: "error: list types are not supported by name printing: *v1.NodeList\n",
    });
  });
});
