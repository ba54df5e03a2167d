import { describe, expect, it } from "vitest";
import type { ResourceDefinition } from "../ResourceDefinition";
import {
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  collectResources,
  compareKubeVersions,
  storageVersionHash,
} from "./discovery";
import { sha256, toHex } from "./sha256";

const definition = (overrides: Partial<ResourceDefinition>): ResourceDefinition => ({
  group: "",
  versions: ["v1"],
  resource: "things",
  kind: "Thing",
  singular: "thing",
  namespaced: true,
  storagePrefix: "things",
  strategy: {},
  ...overrides,
});

const definitions = [
  definition({
    resource: "pods",
    kind: "Pod",
    singular: "pod",
    shortNames: ["po"],
    categories: ["all"],
    subresources: { status: true },
  }),
  definition({ resource: "nodes", kind: "Node", singular: "node", namespaced: false, shortNames: ["no"] }),
  definition({
    group: "apps",
    resource: "deployments",
    kind: "Deployment",
    singular: "deployment",
    shortNames: ["deploy"],
    subresources: {
      status: true,
      scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
    },
  }),
  definition({
    group: "autoscaling",
    versions: ["v2", "v1"],
    resource: "horizontalpodautoscalers",
    kind: "HorizontalPodAutoscaler",
    singular: "horizontalpodautoscaler",
  }),
  definition({ group: "stable.example.com", resource: "crontabs", kind: "CronTab", singular: "crontab" }),
];

describe("discovery", () => {
  it("sha256 matches the standard test vectors", () => {
    expect(toHex(sha256(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(sha256("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(toHex(sha256("a".repeat(1000)))).toBe("41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  });

  it("storageVersionHash is upstream's (pods: xPOwRZ+Yhw8=)", () => {
    expect(storageVersionHash("", "v1", "Pod")).toBe("xPOwRZ+Yhw8=");
  });

  it("orders versions GA > beta > alpha", () => {
    expect(["v1beta1", "v1", "v2alpha1", "v2", "v1alpha1"].sort(compareKubeVersions)).toEqual([
      "v2",
      "v1",
      "v1beta1",
      "v2alpha1",
      "v1alpha1",
    ]);
  });

  it("lists deployments/scale as autoscaling/v1 Scale in legacy discovery", () => {
    const list = apiResourceList(collectResources(definitions), "apps", "v1") as {
      resources: Array<Record<string, unknown>>;
    };
    expect(list.resources.map((resource) => resource.name)).toEqual([
      "deployments",
      "deployments/scale",
      "deployments/status",
    ]);
    expect(list.resources[1]).toMatchObject({
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: ["get", "patch", "update"],
    });
    expect(list.resources[0]).toMatchObject({ singularName: "deployment", shortNames: ["deploy"], namespaced: true });
  });

  it("lists pods' connect subresources", () => {
    const list = apiResourceList(collectResources(definitions), "", "v1") as { resources: Array<{ name: string }> };
    expect(list.resources.map((resource) => resource.name)).toEqual([
      "nodes",
      "pods",
      "pods/attach",
      "pods/binding",
      "pods/ephemeralcontainers",
      "pods/eviction",
      "pods/exec",
      "pods/log",
      "pods/portforward",
      "pods/status",
    ]);
  });

  it("orders groups by upstream priority, CRDs and metrics after built-ins", () => {
    const groups = (
      apiGroupList(collectResources(definitions)) as {
        groups: Array<{ name: string; preferredVersion: { version: string } }>;
      }
    ).groups;
    expect(groups.map((group) => group.name)).toEqual(["apps", "autoscaling", "stable.example.com", "metrics.k8s.io"]);
    expect(groups[1].preferredVersion.version).toBe("v2");
  });

  it("aggregated discovery carries scope, kinds and subresources", () => {
    const document = aggregatedDiscovery(collectResources(definitions), "apis", "v2") as {
      apiVersion: string;
      items: Array<{
        metadata: { name: string };
        versions: Array<{ version: string; resources: Array<Record<string, unknown>> }>;
      }>;
    };
    expect(document.apiVersion).toBe("apidiscovery.k8s.io/v2");
    const deployments = document.items[0].versions[0].resources[0];
    expect(deployments).toMatchObject({
      resource: "deployments",
      scope: "Namespaced",
      responseKind: { group: "apps", version: "v1", kind: "Deployment" },
      subresources: [
        { subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" } },
        { subresource: "status" },
      ],
    });
  });
});
