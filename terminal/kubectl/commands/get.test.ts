import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

describe("kubectl get -o yaml/json/name/custom-columns/go-template with names (printGeneric)", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
    await cluster.create(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: found, namespace: default}\ndata: {a: b}\n",
    );
  }, 60_000);
  afterAll(async () => cluster?.close());

  const notFound = 'Error from server (NotFound): configmaps "nope" not found\n';
  it.each([
    { name: "yaml", args: ["get", "cm", "nope", "-o", "yaml"] },
    { name: "json, type/name", args: ["get", "cm/nope", "-o", "json"] },
    { name: "custom-columns", args: ["get", "cm", "nope", "-o", "custom-columns=N:.metadata.name"] },
    { name: "go-template", args: ["get", "cm", "nope", "-o", "go-template={{.data}}"] },
  ])("a missing single item prints only its error: $name", async ({ args }) => {
    const result = await cluster.kubectl(...args);
    expect(result).toEqual({ status: 1, out: "", err: notFound });
  });

  it("found and missing names keep the List wrapper around what was found", async () => {
    const result = await cluster.kubectl(
      "get",
      "cm",
      "found",
      "nope",
      "-o",
      "jsonpath={.kind} {.items[*].metadata.name}",
    );
    expect(result).toEqual({ status: 1, out: "List found", err: notFound });
  });

  it("one found name is printed unwrapped", async () => {
    const result = await cluster.kubectl("get", "cm", "found", "-o", "jsonpath={.kind}");
    expect(result).toEqual({ status: 0, out: "ConfigMap", err: "" });
  });
});

describe("kubectl get -w", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
  }, 60_000);
  afterAll(async () => cluster?.close());

  it("prints every change: watch events after the first carry no column definitions", async () => {
    const stop = new AbortController();
    const watching = cluster.kubectlWithSignal(stop.signal, "get", "configmaps", "-w", "--no-headers");
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const name of ["first", "second", "third"]) {
      await cluster.create(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    const result = await watching;
    expect(result.err).toBe("");
    expect(result.out.split("\n").map((line) => line.split(/\s+/)[0])).toEqual(
      expect.arrayContaining(["first", "second", "third"]),
    );
  });
});
