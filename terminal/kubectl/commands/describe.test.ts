import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

describe("kubectl describe TYPE NAME-PREFIX (DescribeMatchingResources)", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
    for (const name of ["web-1", "web-2"])
      await cluster.create(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\n`);
  }, 60_000);
  afterAll(async () => cluster?.close());

  it("describes each object whose name starts with the prefix, each followed by a newline", async () => {
    const one = await cluster.kubectl("describe", "cm", "web-1");
    const two = await cluster.kubectl("describe", "cm", "web-2");
    const prefixed = await cluster.kubectl("describe", "cm", "web");
    expect(prefixed).toEqual({ status: 0, out: `${one.out}\n${two.out}\n`, err: "" });
    // Named objects are separated by two newlines, with none after the last.
    expect((await cluster.kubectl("describe", "cm", "web-1", "web-2")).out).toBe(`${one.out}\n\n${two.out}`);
  });

  it.each([
    {
      name: "TYPE/NAME",
      args: ["describe", "cm/web"],
      err: 'Error from server (NotFound): configmaps "web" not found\n',
    },
    {
      name: "more than one name",
      args: ["describe", "cm", "web", "web-1"],
      err: 'Error from server (NotFound): configmaps "web" not found\n',
    },
  ])("no prefix matching with $name", async ({ args, err }) => {
    const result = await cluster.kubectl(...args);
    expect(result.status).toBe(1);
    expect(result.err).toBe(err);
    expect(result.out).not.toContain("Name:         web-2");
  });
});
