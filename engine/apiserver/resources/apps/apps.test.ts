import { describe, expect, it } from "vitest";
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from "../../../api/apps";
import { renderFieldError } from "../../ApiError";
import { fakeStrategyContext } from "../support/fakeStrategyContext";
import { controllerRevisions } from "./controllerrevisions";
import { daemonSets } from "./daemonsets";
import { deployments } from "./deployments";
import { replicaSets } from "./replicasets";
import { statefulSets } from "./statefulsets";

/** The value, or a test failure when it is missing (instead of a non-null assertion). */
function present<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error("expected a value");
  return value;
}

const now = Date.parse("2026-01-01T12:00:00Z");
const template = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
};

function deployment(spec: Partial<NonNullable<Deployment["spec"]>> = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { selector: { matchLabels: { app: "web" } }, template: structuredClone(template), ...spec },
  };
}

function createDeployment(input: Deployment) {
  const context = fakeStrategyContext();
  const object = structuredClone(input);
  deployments.strategy.defaults?.(object, context);
  deployments.strategy.prepareForCreate?.(object, context);
  return { object, errors: (deployments.strategy.validate?.(object, context) ?? []).map(renderFieldError) };
}

describe("deployments", () => {
  it("fills SetDefaults_Deployment and the pod template defaults", () => {
    const { object, errors } = createDeployment(deployment());
    expect(errors).toEqual([]);
    expect(object.spec).toMatchObject({
      replicas: 1,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: { spec: { restartPolicy: "Always", dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler" } },
    });
    expect(object.spec?.template.spec?.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect(object.metadata.generation).toBe(1);
    expect(object.status).toEqual({});
  });

  it.each([
    [
      "a selector that does not match the template",
      deployment({ selector: { matchLabels: { app: "api" } } }),
      [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      "an empty selector",
      deployment({ selector: {} }),
      [
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
      ],
    ],
    [
      "a missing selector",
      { ...deployment(), spec: { template: structuredClone(template) } as unknown as Deployment["spec"] },
      [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      ],
    ],
    [
      "a template without labels",
      deployment({ template: { spec: structuredClone(template.spec) } }),
      [
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
      ],
    ],
    [
      "negative replicas",
      deployment({ replicas: -1 }),
      ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    ],
    [
      "a pod template that does not restart",
      deployment({
        template: { ...structuredClone(template), spec: { ...structuredClone(template.spec), restartPolicy: "Never" } },
      }),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      "rolling update that can make no progress",
      deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
      ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
    ],
    [
      "Recreate with rolling parameters",
      deployment({ strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } }),
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
  ])("rejects %s", (_name, input, expected) => {
    expect(createDeployment(input).errors).toEqual(expected);
  });

  it("bumps generation on spec and annotation changes only, and keeps the selector", () => {
    const context = fakeStrategyContext();
    const { object: old } = createDeployment(deployment());
    old.status = { replicas: 1 };
    const scaled = structuredClone(old);
    present(scaled.spec).replicas = 3;
    scaled.status = {};
    deployments.strategy.prepareForUpdate?.(scaled, old, context);
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status).toEqual({ replicas: 1 });
    const labelled = structuredClone(old);
    labelled.metadata.labels = { team: "a" };
    deployments.strategy.prepareForUpdate?.(labelled, old, context);
    expect(labelled.metadata.generation).toBe(1);
    const annotated = structuredClone(old);
    annotated.metadata.annotations = { "kubernetes.io/change-cause": "x" };
    deployments.strategy.prepareForUpdate?.(annotated, old, context);
    expect(annotated.metadata.generation).toBe(2);
    const reselected = structuredClone(old);
    present(reselected.spec).selector = { matchLabels: { app: "web", tier: "a" } };
    present(present(reselected.spec).template.metadata).labels = { app: "web", tier: "a" };
    expect((deployments.strategy.validateUpdate?.(reselected, old, context) ?? []).map(renderFieldError)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"a"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it("prints NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR", () => {
    const { object } = createDeployment(deployment({ replicas: 3 }));
    object.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    object.metadata.creationTimestamp = new Date(now - 2 * 86_400_000 - 5 * 3_600_000).toISOString();
    expect(deployments.table?.columns.map((column) => column.name)).toEqual([
      "Name",
      "Ready",
      "Up-to-date",
      "Available",
      "Age",
      "Containers",
      "Images",
      "Selector",
    ]);
    expect(deployments.table?.cells(object, now)).toEqual([
      "web",
      "2/3",
      3,
      2,
      "2d5h",
      "nginx",
      "nginx:1.27",
      "app=web",
    ]);
  });
});

describe("replicasets, daemonsets, statefulsets", () => {
  it("prints a replica set", () => {
    const replicaSet: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web-5d4f" },
      spec: { replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": "5d4f" } }, template },
      status: { replicas: 3, readyReplicas: 1 },
    };
    expect(replicaSets.table?.cells(replicaSet, now)).toEqual([
      "web-5d4f",
      3,
      3,
      1,
      "<unknown>",
      "nginx",
      "nginx:1.27",
      "app=web,pod-template-hash=5d4f",
    ]);
  });

  it("defaults and prints a daemon set", () => {
    const daemonSet: DaemonSet = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "kube-system" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          ...structuredClone(template),
          spec: { ...structuredClone(template.spec), nodeSelector: { "kubernetes.io/os": "linux" } },
        },
      },
    };
    const context = fakeStrategyContext();
    daemonSets.strategy.defaults?.(daemonSet, context);
    daemonSets.strategy.prepareForCreate?.(daemonSet, context);
    expect(daemonSet.spec?.updateStrategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(daemonSet.spec?.revisionHistoryLimit).toBe(10);
    expect(daemonSets.strategy.validate?.(daemonSet, context)).toEqual([]);
    expect(daemonSets.table?.cells(daemonSet, now)).toEqual([
      "agent",
      0,
      0,
      0,
      0,
      0,
      "kubernetes.io/os=linux",
      "<unknown>",
      "nginx",
      "nginx:1.27",
      "app=web",
    ]);
  });

  it("defaults, validates and prints a stateful set", () => {
    const statefulSet: StatefulSet = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: "default" },
      spec: {
        serviceName: "db",
        selector: { matchLabels: { app: "web" } },
        template: structuredClone(template),
        volumeClaimTemplates: [
          {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        ],
      },
    };
    const context = fakeStrategyContext();
    statefulSets.strategy.defaults?.(statefulSet, context);
    statefulSets.strategy.prepareForCreate?.(statefulSet, context);
    expect(statefulSet.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      revisionHistoryLimit: 10,
    });
    expect(statefulSet.spec?.volumeClaimTemplates?.[0]).toMatchObject({
      spec: { volumeMode: "Filesystem" },
      status: { phase: "Pending" },
    });
    expect(statefulSets.strategy.validate?.(statefulSet, context)).toEqual([]);
    expect(statefulSets.table?.cells(statefulSet, now)).toEqual(["db", "0/1", "<unknown>", "nginx", "nginx:1.27"]);
    const update = structuredClone(statefulSet);
    present(update.spec).serviceName = "other";
    expect((statefulSets.strategy.validateUpdate?.(update, statefulSet, context) ?? []).map(renderFieldError)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it("prints a controller revision with its owner", () => {
    const revision: ControllerRevision = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name: "db-7f9c",
        ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "u", controller: true }],
      },
      revision: 2,
      data: {},
    };
    expect(controllerRevisions.table?.cells(revision, now)).toEqual(["db-7f9c", "statefulset.apps/db", 2, "<unknown>"]);
  });
});
