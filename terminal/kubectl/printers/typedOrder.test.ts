import { describe, expect, it } from "vitest";
import { toGoJson } from "./goJson";
import { typedOrder } from "./typedOrder";

describe("typedOrder", () => {
  it("orders ObjectMeta as its struct and keeps the rest in the server's order", () => {
    const node = {
      kind: "Node",
      apiVersion: "v1",
      metadata: { name: "n", labels: { a: "b" }, uid: "u", creationTimestamp: "t", resourceVersion: "1" },
      spec: {},
    };
    expect(Object.keys(typedOrder(node).metadata as object)).toEqual([
      "name",
      "uid",
      "resourceVersion",
      "creationTimestamp",
      "labels",
    ]);
  });

  it("gives an Event the fields its struct always has, in its order", () => {
    const event = {
      kind: "Event",
      apiVersion: "v1",
      metadata: { name: "e", namespace: "default" },
      involvedObject: { kind: "Pod", name: "p" },
      reason: "Started",
      message: "m",
      count: 1,
      type: "Normal",
      reportingComponent: "kubelet",
    };
    expect(toGoJson(typedOrder(event), { sortKeys: false })).toBe(`{
    "kind": "Event",
    "apiVersion": "v1",
    "metadata": {
        "name": "e",
        "namespace": "default",
        "creationTimestamp": null
    },
    "involvedObject": {
        "kind": "Pod",
        "name": "p"
    },
    "reason": "Started",
    "message": "m",
    "source": {},
    "firstTimestamp": null,
    "lastTimestamp": null,
    "count": 1,
    "type": "Normal",
    "eventTime": null,
    "reportingComponent": "kubelet"
}
`);
  });
});
