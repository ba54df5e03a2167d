import { describe, expect, it } from "vitest";
import type { CustomResourceDefinition } from "../../api/apiextensions";
import type { HorizontalPodAutoscaler } from "../../api/autoscaling";
import type { Event } from "../../api/core";
import type { EndpointSlice } from "../../api/discovery";
import type { Ingress, IngressClass, NetworkPolicy } from "../../api/networking";
import type { PodDisruptionBudget } from "../../api/policy";
import type { ClusterRole, RoleBinding } from "../../api/rbac";
import type { PriorityClass } from "../../api/scheduling";
import type { StorageClass } from "../../api/storage";
import { renderFieldError } from "../ApiError";
import { customResourceDefinitions, customResourceTable } from "./apiextensions/customresourcedefinitions";
import { horizontalPodAutoscalers } from "./autoscaling/horizontalpodautoscalers";
import { leases } from "./coordination/leases";
import { endpointSlices } from "./discovery/endpointslices";
import { eventsV1Events } from "./events/events";
import { ingressClasses } from "./networking/ingressclasses";
import { ingresses } from "./networking/ingresses";
import { networkPolicies } from "./networking/networkpolicies";
import { podDisruptionBudgets } from "./policy/poddisruptionbudgets";
import { roleBindings } from "./rbac/bindings";
import { clusterRoles } from "./rbac/roles";
import { priorityClasses } from "./scheduling/priorityclasses";
import { storageClasses } from "./storage/storageclasses";
import { fakeStrategyContext } from "./support/fakeStrategyContext";

/** The value, or a test failure when it is missing (instead of a non-null assertion). */
function present<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error("expected a value");
  return value;
}

const now = Date.parse("2026-01-01T12:00:00Z");

describe("horizontalpodautoscalers", () => {
  const hpa = (): HorizontalPodAutoscaler => ({
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", namespace: "default" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 5 },
  });

  it("defaults minReplicas and the 80% CPU metric", () => {
    const context = fakeStrategyContext();
    const input = hpa();
    horizontalPodAutoscalers.strategy.defaults?.(input, context);
    expect(input.spec).toMatchObject({
      minReplicas: 1,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
      ],
    });
    expect(horizontalPodAutoscalers.strategy.validate?.(input, context)).toEqual([]);
    expect(horizontalPodAutoscalers.table?.cells(input, now)).toEqual([
      "web",
      "Deployment/web",
      "cpu: <unknown>/80%",
      "1",
      5,
      0,
      "<unknown>",
    ]);
  });

  it("converts between v1 and v2", () => {
    const conversion = horizontalPodAutoscalers.conversion;
    const v1 = {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web" },
      spec: {
        scaleTargetRef: { kind: "Deployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 50,
      },
    };
    const stored = conversion?.toStorage(v1, "v1") as HorizontalPodAutoscaler;
    expect(stored.apiVersion).toBe("autoscaling/v2");
    expect(stored.spec?.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
    ]);
    stored.status = {
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 30 } } }],
    };
    expect(conversion?.fromStorage(stored, "v1")).toEqual({
      ...v1,
      status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 },
    });
    expect(horizontalPodAutoscalers.table?.cells(stored, now)[2]).toBe("cpu: 30%/50%");
  });

  it("rejects maxReplicas below minReplicas", () => {
    const input = hpa();
    present(input.spec).minReplicas = 6;
    expect(
      (horizontalPodAutoscalers.strategy.validate?.(input, fakeStrategyContext()) ?? []).map(renderFieldError),
    ).toEqual(["spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"]);
  });
});

describe("networking", () => {
  it("prints ingresses", () => {
    const ingress: Ingress = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web" },
      spec: {
        ingressClassName: "nginx",
        tls: [{ hosts: ["a.example.com"] }],
        rules: [
          { host: "a.example.com" },
          { host: "b.example.com" },
          { host: "c.example.com" },
          { host: "d.example.com" },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: "172.18.0.5" }] } },
    };
    expect(ingresses.table?.cells(ingress, now)).toEqual([
      "web",
      "nginx",
      "a.example.com,b.example.com,c.example.com + 1 more...",
      "172.18.0.5",
      "80, 443",
      "<unknown>",
    ]);
    expect(ingresses.table?.cells({ ...ingress, spec: {}, status: {} }, now)).toEqual([
      "web",
      "<none>",
      "*",
      "",
      "80",
      "<unknown>",
    ]);
  });

  it("validates ingress paths", () => {
    const ingress: Ingress = {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "web", namespace: "default" },
      spec: {
        rules: [{ http: { paths: [{ path: "api", pathType: "Prefix", backend: { service: { name: "api" } } }] } }],
      },
    };
    expect((ingresses.strategy.validate?.(ingress, fakeStrategyContext()) ?? []).map(renderFieldError)).toEqual([
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      "spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required",
    ]);
  });

  it("prints ingress classes and network policies", () => {
    const ingressClass: IngressClass = {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: { name: "nginx" },
      spec: {
        controller: "k8s.io/ingress-nginx",
        parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" },
      },
    };
    expect(ingressClasses.table?.cells(ingressClass, now)).toEqual([
      "nginx",
      "k8s.io/ingress-nginx",
      "IngressParameters.k8s.example.com/external-lb",
      "<unknown>",
    ]);
    const policy: NetworkPolicy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "deny", namespace: "default" },
      spec: { podSelector: {} },
    };
    networkPolicies.strategy.defaults?.(policy, fakeStrategyContext());
    expect(policy.spec?.policyTypes).toEqual(["Ingress"]);
    expect(networkPolicies.table?.cells(policy, now)).toEqual(["deny", "<none>", "<unknown>"]);
  });
});

describe("endpointslices and leases", () => {
  it("prints endpoint slices", () => {
    const slice: EndpointSlice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "web-abc" },
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
      endpoints: [
        { addresses: ["10.244.1.2"] },
        { addresses: ["10.244.2.3"] },
        { addresses: ["10.244.1.4"] },
        { addresses: ["10.244.2.5"] },
      ],
    };
    expect(endpointSlices.table?.cells(slice, now)).toEqual([
      "web-abc",
      "IPv4",
      "80",
      "10.244.1.2,10.244.2.3,10.244.1.4 + 1 more...",
      "<unknown>",
    ]);
    expect(endpointSlices.table?.cells({ ...slice, ports: [], endpoints: [] }, now).slice(2, 4)).toEqual([
      "<unset>",
      "<unset>",
    ]);
  });

  it("prints leases", () => {
    const lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "node01" },
      spec: { holderIdentity: "node01" },
    };
    expect(leases.table?.cells(lease, now)).toEqual(["node01", "node01", "<unknown>"]);
  });
});

describe("events.k8s.io", () => {
  it("round-trips through the core shape", () => {
    const v1 = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "e", namespace: "default" },
      eventTime: "2026-01-01T11:59:00.000000Z",
      reportingController: "default-scheduler",
      reportingInstance: "default-scheduler-controlplane",
      action: "Binding",
      reason: "Scheduled",
      regarding: { kind: "Pod", name: "web", namespace: "default" },
      note: "Successfully assigned default/web to node01",
      type: "Normal",
    };
    const stored = eventsV1Events.conversion?.toStorage(v1, "v1") as Event;
    expect(stored).toMatchObject({
      apiVersion: "v1",
      involvedObject: { kind: "Pod", name: "web" },
      message: "Successfully assigned default/web to node01",
      reportingComponent: "default-scheduler",
    });
    expect(eventsV1Events.strategy.validate?.(stored, fakeStrategyContext())).toEqual([]);
    expect(eventsV1Events.conversion?.fromStorage(stored, "v1")).toEqual(v1);
  });
});

describe("storage, scheduling, policy", () => {
  it("prints storage classes with the default marker", () => {
    const storageClass: StorageClass = {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "rancher.io/local-path",
    };
    storageClasses.strategy.defaults?.(storageClass, fakeStrategyContext());
    expect(storageClasses.table?.cells(storageClass, now)).toEqual([
      "standard (default)",
      "rancher.io/local-path",
      "Delete",
      "Immediate",
      false,
      "<unknown>",
    ]);
    const update = { ...storageClass, provisioner: "other.io/x" };
    expect(
      (storageClasses.strategy.validateUpdate?.(update, storageClass, fakeStrategyContext()) ?? []).map(
        renderFieldError,
      ),
    ).toEqual(["provisioner: Forbidden: updates to provisioner are forbidden."]);
  });

  it("guards priority classes", () => {
    const priorityClass: PriorityClass = {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "system-high" },
      value: 2000000001,
    };
    priorityClasses.strategy.defaults?.(priorityClass, fakeStrategyContext());
    expect(
      (priorityClasses.strategy.validate?.(priorityClass, fakeStrategyContext()) ?? []).map(renderFieldError),
    ).toEqual([
      "metadata.name: Invalid value: \"system-high\": priority class names with 'system-' prefix are reserved for system use only",
      "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
    ]);
    expect(priorityClasses.table?.cells({ ...priorityClass, metadata: { name: "high" }, value: 1000 }, now)).toEqual([
      "high",
      1000,
      false,
      "<unknown>",
      "PreemptLowerPriority",
    ]);
  });

  it("prints pod disruption budgets", () => {
    const budget: PodDisruptionBudget = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web" },
      spec: { minAvailable: "50%", selector: { matchLabels: { app: "web" } } },
      status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
    };
    expect(podDisruptionBudgets.table?.cells(budget, now)).toEqual(["web", "50%", "N/A", 1, "<unknown>"]);
  });
});

describe("rbac", () => {
  it("prints bindings with the role and subjects", () => {
    const binding: RoleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "read", namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" },
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "devs" },
        { kind: "ServiceAccount", name: "ci", namespace: "build" },
      ],
    };
    expect(roleBindings.table?.cells(binding, now)).toEqual([
      "read",
      "Role/reader",
      "<unknown>",
      "jane",
      "devs",
      "build:ci",
    ]);
    expect(roleBindings.strategy.validate?.(binding, fakeStrategyContext())).toEqual([]);
    const changed = { ...binding, roleRef: { ...binding.roleRef, name: "admin" } };
    expect(
      (roleBindings.strategy.validateUpdate?.(changed, binding, fakeStrategyContext()) ?? []).map(renderFieldError),
    ).toEqual([
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"admin"}: cannot change roleRef',
    ]);
  });

  it("prints roles with the default Name/Created At table", () => {
    const role: ClusterRole = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "view", creationTimestamp: "2026-01-01T10:00:00Z" },
      rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }],
    };
    expect(clusterRoles.table?.columns.map((column) => [column.name, column.type])).toEqual([
      ["Name", "string"],
      ["Created At", "date"],
    ]);
    expect(clusterRoles.table?.cells(role, now)).toEqual(["view", "2026-01-01T10:00:00Z"]);
    expect(
      (clusterRoles.strategy.validate?.({ ...role, rules: [{ verbs: [] }] }, fakeStrategyContext()) ?? []).map(
        renderFieldError,
      ),
    ).toEqual([
      "rules[0].verbs: Required value: verbs must contain at least one value",
      "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
      "rules[0].resources: Required value: resource rules must supply at least one resource",
    ]);
  });
});

describe("customresourcedefinitions", () => {
  const crd = (): CustomResourceDefinition => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "crontabs.stable.example.com" },
    spec: {
      group: "stable.example.com",
      scope: "Namespaced",
      names: { plural: "crontabs", kind: "CronTab", shortNames: ["ct"] },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } } },
          additionalPrinterColumns: [{ name: "Spec", type: "string", jsonPath: ".spec.cronSpec" }],
        },
      ],
    },
  });

  it("defaults names, records the stored version and validates", () => {
    const context = fakeStrategyContext();
    const input = crd();
    customResourceDefinitions.strategy.defaults?.(input, context);
    customResourceDefinitions.strategy.prepareForCreate?.(input, context);
    expect(input.spec?.names).toMatchObject({ singular: "crontab", listKind: "CronTabList" });
    expect(input.status?.storedVersions).toEqual(["v1"]);
    expect(customResourceDefinitions.strategy.validate?.(input, context)).toEqual([]);
    const wrongName = { ...input, metadata: { name: "crontab.stable.example.com" } };
    expect((customResourceDefinitions.strategy.validate?.(wrongName, context) ?? []).map(renderFieldError)).toEqual([
      'metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  it("builds printer columns for custom resources", () => {
    const table = customResourceTable(crd(), "v1", (object, path) =>
      path === ".spec.cronSpec" ? object.spec?.cronSpec : undefined,
    );
    expect(table.columns.map((column) => column.name)).toEqual(["Name", "Spec"]);
    expect(
      table.cells(
        {
          apiVersion: "stable.example.com/v1",
          kind: "CronTab",
          metadata: { name: "c" },
          spec: { cronSpec: "* * * * */5" },
        },
        now,
      ),
    ).toEqual(["c", "* * * * */5"]);
  });
});
