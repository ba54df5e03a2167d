import { describe, expect, it } from "vitest";
import type { ContainerStatus, Pod } from "../../../api/core";
import { renderFieldError } from "../../ApiError";
import { fakeStrategyContext } from "../support/fakeStrategyContext";
import { podRow, pods, podTable } from "./pods";

/** The value, or a test failure when it is missing (instead of a non-null assertion). */
function present<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error("expected a value");
  return value;
}

const now = Date.parse("2026-01-01T12:00:00Z");
const ago = (milliseconds: number) => new Date(now - milliseconds).toISOString();
const seconds = (count: number) => count * 1000;
const days = (count: number) => count * 86_400_000;
const terminatedAgo = (milliseconds: number) => ({ terminated: { exitCode: 0, finishedAt: ago(milliseconds) } });

function status(partial: Partial<ContainerStatus>): ContainerStatus {
  return { name: "c", ready: false, restartCount: 0, image: "", imageID: "", ...partial };
}

function pod(name: string, containers: number, podStatus: Pod["status"], extra: Partial<Pod["spec"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: Array.from({ length: containers }, (_, index) => ({ name: `c${index}` })), ...extra },
    status: podStatus,
  };
}

const running = { running: {} };
const waiting = (reason?: string) => ({ waiting: reason ? { reason } : {} });

// Cases from upstream's printers_test.go TestPrintPod and TestPrintPodWithRestartableInitContainer:
// the first five cells (NAME READY STATUS RESTARTS AGE) for pods without a creation timestamp.
describe("printPod", () => {
  const cases: Array<{ name: string; pod: Pod; cells: unknown[] }> = [
    {
      name: "num of containers, restarts, container ready status",
      pod: pod("test1", 2, {
        phase: "podPhase",
        containerStatuses: [status({ ready: true, restartCount: 3, state: running }), status({ restartCount: 3 })],
      }),
      cells: ["test1", "1/2", "podPhase", "6", "<unknown>"],
    },
    {
      name: "container waiting reason",
      pod: pod("test2", 2, {
        phase: "podPhase",
        containerStatuses: [
          status({ state: waiting("ContainerWaitingReason"), restartCount: 3 }),
          status({ ready: true, restartCount: 3, state: running }),
        ],
      }),
      cells: ["test2", "1/2", "ContainerWaitingReason", "6", "<unknown>"],
    },
    {
      name: "the first container's reason wins over a terminated one",
      pod: pod("test3", 2, {
        phase: "podPhase",
        containerStatuses: [
          status({ state: waiting("ContainerWaitingReason"), restartCount: 3 }),
          status({ state: { terminated: { exitCode: 0, reason: "ContainerTerminatedReason" } }, restartCount: 3 }),
        ],
      }),
      cells: ["test3", "0/2", "ContainerWaitingReason", "6", "<unknown>"],
    },
    {
      name: "ready is not enough for reporting running",
      pod: pod("test4", 2, {
        phase: "podPhase",
        containerStatuses: [status({ ready: true, restartCount: 3 }), status({ ready: true, restartCount: 3 })],
      }),
      cells: ["test4", "0/2", "podPhase", "6", "<unknown>"],
    },
    {
      name: "the pod's reason replaces the phase",
      pod: pod("test5", 2, {
        phase: "podPhase",
        reason: "podReason",
        containerStatuses: [
          status({ ready: true, restartCount: 3, state: running }),
          status({ ready: true, restartCount: 3 }),
        ],
      }),
      cells: ["test5", "1/2", "podReason", "6", "<unknown>"],
    },
    {
      name: "one container completed and one running, without the Ready condition",
      pod: pod("test6", 2, {
        phase: "Running",
        containerStatuses: [
          status({ ready: true, restartCount: 3, state: { terminated: { exitCode: 0, reason: "Completed" } } }),
          status({ ready: true, restartCount: 3, state: running }),
        ],
      }),
      cells: ["test6", "1/2", "NotReady", "6", "<unknown>"],
    },
    {
      name: "one container completed and one running, with the Ready condition",
      pod: pod("test6", 2, {
        phase: "Running",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [
          status({ ready: true, restartCount: 3, state: { terminated: { exitCode: 0, reason: "Completed" } } }),
          status({ ready: true, restartCount: 3, state: running }),
        ],
      }),
      cells: ["test6", "1/2", "Running", "6", "<unknown>"],
    },
    {
      name: "an init container restarting and a container not running",
      pod: pod(
        "test7",
        1,
        {
          phase: "podPhase",
          initContainerStatuses: [status({ restartCount: 3, state: running, lastState: terminatedAgo(seconds(10)) })],
          containerStatuses: [status({ state: waiting() })],
        },
        { initContainers: [{ name: "i0" }] },
      ),
      cells: ["test7", "0/1", "Init:0/1", "3 (10s ago)", "<unknown>"],
    },
    {
      name: "two init containers, one restarting",
      pod: pod(
        "test8",
        1,
        {
          phase: "podPhase",
          initContainerStatuses: [
            status({ restartCount: 3, state: running, lastState: terminatedAgo(seconds(10)) }),
            status({ state: waiting() }),
          ],
          containerStatuses: [status({ state: waiting() })],
        },
        { initContainers: [{ name: "i0" }, { name: "i1" }] },
      ),
      cells: ["test8", "0/1", "Init:0/2", "3 (10s ago)", "<unknown>"],
    },
    {
      name: "two init containers, one completed, one restarting",
      pod: pod(
        "test9",
        1,
        {
          phase: "podPhase",
          initContainerStatuses: [
            status({ state: { terminated: { exitCode: 0 } } }),
            status({ restartCount: 3, state: running, lastState: terminatedAgo(seconds(10)) }),
          ],
          containerStatuses: [status({ state: waiting() })],
        },
        { initContainers: [{ name: "i0" }, { name: "i1" }] },
      ),
      cells: ["test9", "0/1", "Init:1/2", "3 (10s ago)", "<unknown>"],
    },
    {
      name: "two init containers, one completed with restarts, one restarting",
      pod: pod(
        "test10",
        1,
        {
          phase: "podPhase",
          initContainerStatuses: [
            status({ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: terminatedAgo(seconds(120)) }),
            status({ restartCount: 3, state: running, lastState: terminatedAgo(seconds(10)) }),
          ],
          containerStatuses: [status({ state: waiting() })],
        },
        { initContainers: [{ name: "i0" }, { name: "i1" }] },
      ),
      cells: ["test10", "0/1", "Init:1/2", "5 (10s ago)", "<unknown>"],
    },
    {
      name: "an init container completed with restarts and a container restarting",
      pod: pod(
        "test11",
        1,
        {
          phase: "Running",
          initContainerStatuses: [
            status({ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: terminatedAgo(seconds(120)) }),
          ],
          containerStatuses: [status({ restartCount: 4, state: running, lastState: terminatedAgo(seconds(20)) })],
        },
        { initContainers: [{ name: "i0" }] },
      ),
      cells: ["test11", "0/1", "Running", "4 (20s ago)", "<unknown>"],
    },
    {
      name: "a container that restarted 5d ago",
      pod: pod("test12", 1, {
        phase: "Running",
        containerStatuses: [
          status({ ready: true, restartCount: 3, state: running, lastState: terminatedAgo(days(5)) }),
        ],
      }),
      cells: ["test12", "1/1", "Running", "3 (5d ago)", "<unknown>"],
    },
    {
      name: "the latest restart of two containers",
      pod: pod("test14", 2, {
        phase: "Running",
        containerStatuses: [
          status({ ready: true, restartCount: 6, state: running, lastState: terminatedAgo(days(5)) }),
          status({ ready: true, restartCount: 3, state: running, lastState: terminatedAgo(days(20)) }),
        ],
      }),
      cells: ["test14", "2/2", "Running", "9 (5d ago)", "<unknown>"],
    },
    {
      name: "scheduling gated",
      pod: pod("test15", 2, {
        phase: "podPhase",
        conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }],
      }),
      cells: ["test15", "0/2", "SchedulingGated", "0", "<unknown>"],
    },
    {
      name: "succeeded",
      pod: pod("test16", 1, {
        phase: "Succeeded",
        containerStatuses: [status({ state: { terminated: { exitCode: 0, reason: "Completed" } } })],
      }),
      cells: ["test16", "0/1", "Completed", "0", "<unknown>"],
    },
    {
      name: "failed",
      pod: pod("test17", 1, {
        phase: "Failed",
        containerStatuses: [status({ state: { terminated: { exitCode: 1, reason: "Error" } } })],
      }),
      cells: ["test17", "0/1", "Error", "0", "<unknown>"],
    },
    {
      name: "terminated without a reason prints the signal or exit code",
      pod: pod("test18", 2, {
        phase: "Running",
        containerStatuses: [
          status({ state: { terminated: { exitCode: 0, signal: 9 } } }),
          status({ state: { terminated: { exitCode: 2 } } }),
        ],
      }),
      cells: ["test18", "0/2", "Signal:9", "0", "<unknown>"],
    },
    {
      name: "a failed init container",
      pod: pod(
        "test19",
        1,
        { phase: "Pending", initContainerStatuses: [status({ state: { terminated: { exitCode: 3 } } })] },
        { initContainers: [{ name: "i0" }] },
      ),
      cells: ["test19", "0/1", "Init:ExitCode:3", "0", "<unknown>"],
    },
    {
      name: "an init container waiting with a reason",
      pod: pod(
        "test20",
        1,
        { phase: "Pending", initContainerStatuses: [status({ state: waiting("ImagePullBackOff") })] },
        { initContainers: [{ name: "i0" }] },
      ),
      cells: ["test20", "0/1", "Init:ImagePullBackOff", "0", "<unknown>"],
    },
    {
      name: "sidecar running but not started",
      pod: pod(
        "sidecar1",
        1,
        {
          conditions: [{ type: "Initialized", status: "False" }],
          initContainerStatuses: [
            status({
              name: "restartable-init-1",
              restartCount: 3,
              state: running,
              started: false,
              lastState: terminatedAgo(seconds(10)),
            }),
            status({ name: "restartable-init-2", state: waiting(), started: false }),
          ],
          containerStatuses: [status({ state: waiting() })],
        },
        {
          initContainers: [
            { name: "restartable-init-1", restartPolicy: "Always" },
            { name: "restartable-init-2", restartPolicy: "Always" },
          ],
        },
      ),
      cells: ["sidecar1", "0/3", "Init:0/2", "3 (10s ago)", "<unknown>"],
    },
    {
      name: "sidecar started",
      pod: pod(
        "sidecar2",
        1,
        {
          conditions: [{ type: "Initialized", status: "False" }],
          initContainerStatuses: [
            status({
              name: "restartable-init-1",
              restartCount: 3,
              state: running,
              started: true,
              lastState: terminatedAgo(seconds(10)),
            }),
            status({ name: "restartable-init-2", state: waiting(), started: false }),
          ],
          containerStatuses: [status({ state: waiting() })],
        },
        {
          initContainers: [
            { name: "restartable-init-1", restartPolicy: "Always" },
            { name: "restartable-init-2", restartPolicy: "Always" },
          ],
        },
      ),
      cells: ["sidecar2", "0/3", "Init:1/2", "3 (10s ago)", "<unknown>"],
    },
    {
      name: "sidecars started and a container running",
      pod: pod(
        "sidecar3",
        1,
        {
          phase: "Running",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [
            status({
              name: "restartable-init-1",
              restartCount: 3,
              state: running,
              started: true,
              lastState: terminatedAgo(seconds(10)),
            }),
            status({ name: "restartable-init-2", state: running, started: true }),
          ],
          containerStatuses: [
            status({ ready: true, restartCount: 4, state: running, lastState: terminatedAgo(seconds(20)) }),
          ],
        },
        {
          initContainers: [
            { name: "restartable-init-1", restartPolicy: "Always" },
            { name: "restartable-init-2", restartPolicy: "Always" },
          ],
        },
      ),
      cells: ["sidecar3", "1/3", "Running", "7 (10s ago)", "<unknown>"],
    },
    {
      name: "sidecars failed and the container completed",
      pod: pod(
        "sidecar4",
        1,
        {
          phase: "Succeeded",
          conditions: [{ type: "Initialized", status: "True" }],
          initContainerStatuses: [
            status({
              name: "restartable-init-1",
              restartCount: 3,
              state: { terminated: { exitCode: 137, reason: "Error" } },
              started: false,
              lastState: terminatedAgo(seconds(10)),
            }),
            status({
              name: "restartable-init-2",
              state: { terminated: { exitCode: 137, reason: "Error" } },
              started: false,
            }),
          ],
          containerStatuses: [
            status({
              restartCount: 4,
              state: { terminated: { exitCode: 0, reason: "Completed" } },
              started: false,
              lastState: terminatedAgo(seconds(20)),
            }),
          ],
        },
        {
          initContainers: [
            { name: "restartable-init-1", restartPolicy: "Always" },
            { name: "restartable-init-2", restartPolicy: "Always" },
          ],
        },
      ),
      cells: ["sidecar4", "0/3", "Completed", "7 (10s ago)", "<unknown>"],
    },
    {
      name: "terminating",
      pod: { ...pod("test21", 1, { phase: "Running" }), metadata: { name: "test21", deletionTimestamp: ago(0) } },
      cells: ["test21", "0/1", "Terminating", "0", "<unknown>"],
    },
    {
      name: "terminating on an unreachable node",
      pod: {
        ...pod("test22", 1, { phase: "Running", reason: "NodeLost" }),
        metadata: { name: "test22", deletionTimestamp: ago(0) },
      },
      cells: ["test22", "0/1", "Unknown", "0", "<unknown>"],
    },
    {
      name: "a deleted pod that already succeeded stays Completed",
      pod: {
        ...pod("test23", 1, {
          phase: "Succeeded",
          containerStatuses: [status({ state: { terminated: { exitCode: 0, reason: "Completed" } } })],
        }),
        metadata: { name: "test23", deletionTimestamp: ago(0) },
      },
      cells: ["test23", "0/1", "Completed", "0", "<unknown>"],
    },
  ];
  it.each(cases)("$name", ({ pod: input, cells }) => {
    expect(podRow(input, now).slice(0, 5)).toEqual(cells);
  });

  it("prints the wide cells: IP, node, nominated node and readiness gates", () => {
    const input = pod(
      "wide",
      1,
      {
        phase: "Running",
        podIP: "10.244.1.5",
        podIPs: [{ ip: "10.244.1.5" }],
        conditions: [{ type: "example.com/ready", status: "True" }],
      },
      { nodeName: "node01", readinessGates: [{ conditionType: "example.com/ready" }, { conditionType: "other" }] },
    );
    expect(podRow(input, now).slice(5)).toEqual(["10.244.1.5", "node01", "<none>", "1/2"]);
    expect(podRow(pod("bare", 1, {}), now).slice(5)).toEqual(["<none>", "<none>", "<none>", "<none>"]);
  });

  it("has upstream's columns", () => {
    expect(podTable.columns.map((column) => [column.name, column.priority])).toEqual([
      ["Name", 0],
      ["Ready", 0],
      ["Status", 0],
      ["Restarts", 0],
      ["Age", 0],
      ["IP", 1],
      ["Node", 1],
      ["Nominated Node", 1],
      ["Readiness Gates", 1],
    ]);
    expect(podTable.columns[0].description).toMatch(/^Name must be unique within a namespace/);
  });
});

describe("pod strategy", () => {
  const create = (input: Pod) => {
    const context = fakeStrategyContext();
    const object = structuredClone(input);
    pods.strategy.defaults?.(object, context);
    pods.strategy.prepareForCreate?.(object, context);
    return { object, errors: pods.strategy.validate?.(object, context).map(renderFieldError) ?? [], context };
  };
  const basic = (spec: Partial<NonNullable<Pod["spec"]>> = {}): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default" },
    spec: { containers: [{ name: "nginx", image: "nginx" }], ...spec },
  });

  it("fills SetDefaults_PodSpec and the Pending status", () => {
    const { object, errors } = create(basic());
    expect(errors).toEqual([]);
    expect(object.spec).toMatchObject({
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      securityContext: {},
      enableServiceLinks: true,
    });
    expect(object.spec?.containers[0]).toEqual({
      name: "nginx",
      image: "nginx",
      imagePullPolicy: "Always",
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      resources: undefined,
    } as unknown as object);
    expect(object.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it.each([
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.27", "IfNotPresent"],
    ["localhost:5000/app", "Always"],
    ["registry.k8s.io/pause:3.10", "IfNotPresent"],
    ["nginx@sha256:abc", "IfNotPresent"],
  ])("image %s pulls %s", (image, policy) => {
    const { object } = create(basic({ containers: [{ name: "c", image, ports: [{ containerPort: 80 }] }] }));
    expect(object.spec?.containers[0].imagePullPolicy).toBe(policy);
    expect(object.spec?.containers[0].ports?.[0].protocol).toBe("TCP");
  });

  it("computes the QoS class", () => {
    const guaranteed = create(
      basic({ containers: [{ name: "c", image: "i", resources: { limits: { cpu: "500m", memory: "128Mi" } } }] }),
    );
    expect(guaranteed.object.status?.qosClass).toBe("Guaranteed");
    expect(guaranteed.object.spec?.containers[0].resources?.requests).toEqual({ cpu: "500m", memory: "128Mi" });
    const burstable = create(
      basic({ containers: [{ name: "c", image: "i", resources: { requests: { cpu: "100m" } } }] }),
    );
    expect(burstable.object.status?.qosClass).toBe("Burstable");
  });

  it.each([
    [
      "a missing image and container name",
      basic({ containers: [{ name: "" }] }),
      ["spec.containers[0].name: Required value", "spec.containers[0].image: Required value"],
    ],
    [
      "duplicate container names",
      basic({
        containers: [
          { name: "a", image: "i" },
          { name: "a", image: "i" },
        ],
      }),
      ['spec.containers[1].name: Duplicate value: "a"'],
    ],
    [
      "an invalid container port",
      basic({ containers: [{ name: "a", image: "i", ports: [{ containerPort: 70000 }] }] }),
      ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"],
    ],
    [
      "an unsupported restart policy",
      basic({ restartPolicy: "Sometimes" }),
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    ["no containers", basic({ containers: [] }), ["spec.containers: Required value"]],
    [
      "a mount of a missing volume",
      basic({ containers: [{ name: "a", image: "i", volumeMounts: [{ name: "data", mountPath: "/data" }] }] }),
      ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
  ])("rejects %s", (_name, input, expected) => {
    expect(create(input).errors).toEqual(expected);
  });

  it("rejects invalid names with upstream's message", () => {
    const { errors } = create({ ...basic(), metadata: { name: "Web_1", namespace: "default" } });
    expect(errors).toEqual([
      "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it("allows image updates and forbids other spec changes", () => {
    const context = fakeStrategyContext();
    const { object: old } = create(basic());
    const imageUpdate = structuredClone(old);
    present(imageUpdate.spec).containers[0].image = "nginx:1.27";
    expect(pods.strategy.validateUpdate?.(imageUpdate, old, context)).toEqual([]);
    const portUpdate = structuredClone(old);
    present(portUpdate.spec).containers[0].ports = [{ containerPort: 80, protocol: "TCP" }];
    const errors = pods.strategy.validateUpdate?.(portUpdate, old, context).map(renderFieldError) ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
  });

  it("keeps status on update and spec on status update", () => {
    const context = fakeStrategyContext();
    const { object: old } = create(basic());
    old.status = { phase: "Running" };
    const update = structuredClone(old);
    update.status = { phase: "Failed" };
    pods.strategy.prepareForUpdate?.(update, old, context);
    expect(update.status).toEqual({ phase: "Running" });
    const statusUpdate = structuredClone(old);
    present(statusUpdate.spec).nodeName = "elsewhere";
    statusUpdate.status = { phase: "Succeeded" };
    pods.strategy.status?.prepareForUpdate?.(statusUpdate, old, context);
    expect(statusUpdate.spec?.nodeName).toBeUndefined();
    expect(statusUpdate.status).toEqual({ phase: "Succeeded" });
  });

  it("selects by upstream's fields", () => {
    const { object } = create(basic());
    expect(pods.selectableFields?.["spec.nodeName"](object)).toBe("");
    expect(pods.selectableFields?.["status.phase"](object)).toBe("Pending");
    expect(pods.selectableFields?.["spec.hostNetwork"](object)).toBe("false");
    expect(pods.selectableFields?.["spec.schedulerName"](object)).toBe("default-scheduler");
  });
});
