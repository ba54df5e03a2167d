import { describe, expect, it } from "vitest";
import { builtinResources, schemaComponents } from "./index";

// Discovery data and etcd prefixes as the real apiserver has them (kubectl api-resources, etcdctl get --prefix /registry).
describe("builtinResources", () => {
  const table = builtinResources.map((definition) => [
    definition.group,
    definition.resource,
    definition.kind,
    definition.namespaced,
    definition.shortNames ?? [],
    definition.categories ?? [],
    definition.storagePrefix,
  ]);
  it.each([
    ["", "pods", "Pod", true, ["po"], ["all"], "pods"],
    ["", "namespaces", "Namespace", false, ["ns"], [], "namespaces"],
    ["", "nodes", "Node", false, ["no"], [], "minions"],
    ["", "services", "Service", true, ["svc"], ["all"], "services/specs"],
    ["", "endpoints", "Endpoints", true, ["ep"], [], "services/endpoints"],
    ["", "configmaps", "ConfigMap", true, ["cm"], [], "configmaps"],
    ["", "secrets", "Secret", true, [], [], "secrets"],
    ["", "serviceaccounts", "ServiceAccount", true, ["sa"], [], "serviceaccounts"],
    ["", "events", "Event", true, ["ev"], [], "events"],
    ["", "persistentvolumes", "PersistentVolume", false, ["pv"], [], "persistentvolumes"],
    ["", "persistentvolumeclaims", "PersistentVolumeClaim", true, ["pvc"], [], "persistentvolumeclaims"],
    ["", "resourcequotas", "ResourceQuota", true, ["quota"], [], "resourcequotas"],
    ["", "limitranges", "LimitRange", true, ["limits"], [], "limitranges"],
    ["apps", "deployments", "Deployment", true, ["deploy"], ["all"], "deployments"],
    ["apps", "replicasets", "ReplicaSet", true, ["rs"], ["all"], "replicasets"],
    ["apps", "daemonsets", "DaemonSet", true, ["ds"], ["all"], "daemonsets"],
    ["apps", "statefulsets", "StatefulSet", true, ["sts"], ["all"], "statefulsets"],
    ["apps", "controllerrevisions", "ControllerRevision", true, [], [], "controllerrevisions"],
    ["events.k8s.io", "events", "Event", true, ["ev"], [], "events"],
    [
      "autoscaling",
      "horizontalpodautoscalers",
      "HorizontalPodAutoscaler",
      true,
      ["hpa"],
      ["all"],
      "horizontalpodautoscalers",
    ],
    ["batch", "jobs", "Job", true, [], ["all"], "jobs"],
    ["batch", "cronjobs", "CronJob", true, ["cj"], ["all"], "cronjobs"],
    ["networking.k8s.io", "networkpolicies", "NetworkPolicy", true, ["netpol"], [], "networkpolicies"],
    ["networking.k8s.io", "ingresses", "Ingress", true, ["ing"], [], "ingress"],
    ["networking.k8s.io", "ingressclasses", "IngressClass", false, [], [], "ingressclasses"],
    ["discovery.k8s.io", "endpointslices", "EndpointSlice", true, [], [], "endpointslices"],
    ["coordination.k8s.io", "leases", "Lease", true, [], [], "leases"],
    ["storage.k8s.io", "storageclasses", "StorageClass", false, ["sc"], [], "storageclasses"],
    ["rbac.authorization.k8s.io", "roles", "Role", true, [], [], "roles"],
    ["rbac.authorization.k8s.io", "rolebindings", "RoleBinding", true, [], [], "rolebindings"],
    ["rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false, [], [], "clusterroles"],
    ["rbac.authorization.k8s.io", "clusterrolebindings", "ClusterRoleBinding", false, [], [], "clusterrolebindings"],
    [
      "apiextensions.k8s.io",
      "customresourcedefinitions",
      "CustomResourceDefinition",
      false,
      ["crd", "crds"],
      ["api-extensions"],
      "apiextensions.k8s.io/customresourcedefinitions",
    ],
    ["scheduling.k8s.io", "priorityclasses", "PriorityClass", false, ["pc"], [], "priorityclasses"],
    ["policy", "poddisruptionbudgets", "PodDisruptionBudget", true, ["pdb"], [], "poddisruptionbudgets"],
  ])("%s %s", (...expected) => {
    expect(table).toContainEqual(expected);
  });

  it("has one definition per group and resource, with a table and a schema whose references resolve", () => {
    const keys = builtinResources.map((definition) => `${definition.group}/${definition.resource}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const definition of builtinResources) {
      expect(definition.table, definition.resource).toBeDefined();
      expect(definition.schema?.["x-kubernetes-group-version-kind"], definition.resource).toEqual([
        { group: definition.group, version: definition.versions[0], kind: definition.kind },
      ]);
    }
    const missing = new Set<string>();
    const walk = (value: unknown) => {
      if (!value || typeof value !== "object") return;
      for (const [key, child] of Object.entries(value)) {
        if (key === "$ref" && typeof child === "string") {
          const name = child.replace("#/components/schemas/", "");
          if (!(name in schemaComponents)) missing.add(name);
        } else walk(child);
      }
    };
    walk(schemaComponents);
    expect([...missing]).toEqual([]);
  });

  it("carries the strategic-merge keys kubectl needs", () => {
    const container = schemaComponents["io.k8s.api.core.v1.PodSpec"].properties?.containers;
    expect(container?.["x-kubernetes-patch-merge-key"]).toBe("name");
    expect(container?.["x-kubernetes-patch-strategy"]).toBe("merge");
    expect(schemaComponents["io.k8s.api.core.v1.Container"].properties?.ports?.["x-kubernetes-patch-merge-key"]).toBe(
      "containerPort",
    );
    expect(schemaComponents["io.k8s.api.core.v1.ServicePort"].properties?.targetPort).toEqual({
      allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString" }],
      description: expect.any(String),
    });
  });
});
