import { describe, expect, it } from "vitest";
import type { KubeObject, ManagedFieldsEntry } from "../../api/types";
import { deepEqual } from "../patch/strategicMergePatch";
import {
  builtinListTypes,
  fieldsTreeOf,
  fieldValuesOf,
  fromFieldsV1,
  hasField,
  toFieldsV1,
  treeFieldsIn,
  treeHasField,
} from "./fieldSet";
import { type ManagerIdentity, managedFieldsAfterUpdate } from "./managedFields";

/**
 * The field tracking of an update as first written: both objects' whole field maps, compared
 * path by path. managedFieldsAfterUpdate walks the two objects side by side instead; it must give
 * the same managedFields for every pair of objects.
 */
function reference(
  oldObject: KubeObject | undefined,
  newObject: KubeObject,
  identity: ManagerIdentity,
  time: string,
): ManagedFieldsEntry[] | undefined {
  const entries = (oldObject?.metadata.managedFields ?? []).map((entry) => ({
    identity: {
      manager: entry.manager ?? "",
      operation: entry.operation ?? "Update",
      apiVersion: entry.apiVersion ?? "",
      subresource: entry.subresource,
    } as ManagerIdentity,
    fields: fromFieldsV1(entry.fieldsV1),
    time: entry.time,
    read: entry.fieldsV1,
    unchanged: false,
  }));
  const newFields = fieldValuesOf(newObject, builtinListTypes);
  const oldFields = oldObject ? fieldValuesOf(oldObject, builtinListTypes) : new Map<string, unknown>();
  const changed = new Set<string>();
  for (const [key, value] of newFields) {
    if (!oldFields.has(key) || !deepEqual(oldFields.get(key) as never, value as never)) changed.add(key);
  }
  for (const key of oldFields.keys()) if (!newFields.has(key)) changed.add(key);
  if (changed.size === 0 && oldObject) return oldObject.metadata.managedFields;
  const same = (a: ManagerIdentity, b: ManagerIdentity) =>
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "") &&
    (a.operation === "Apply" || a.apiVersion === b.apiVersion);
  let mine = entries.find((entry) => same(entry.identity, identity));
  for (const entry of entries) {
    if (entry === mine) continue;
    const before = entry.fields.size;
    for (const key of changed) entry.fields.delete(key);
    for (const key of [...entry.fields]) if (!newFields.has(key)) entry.fields.delete(key);
    if (entry.fields.size !== before) entry.time = entry.time ?? time;
    else entry.unchanged = true;
  }
  if (!mine) {
    mine = { identity, fields: new Set(), time, read: undefined, unchanged: false };
    entries.push(mine);
  }
  let mineChanged = false;
  for (const key of changed) {
    if (newFields.has(key) && !mine.fields.has(key)) {
      mine.fields.add(key);
      mineChanged = true;
    }
  }
  for (const key of [...mine.fields]) {
    if (!newFields.has(key)) {
      mine.fields.delete(key);
      mineChanged = true;
    }
  }
  mine.unchanged = !mineChanged;
  mine.time = time;
  const result: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (entry.fields.size === 0) continue;
    const written: ManagedFieldsEntry = {
      manager: entry.identity.manager,
      operation: entry.identity.operation,
      apiVersion: entry.identity.apiVersion,
      time: entry.time,
      fieldsType: "FieldsV1",
      fieldsV1: entry.unchanged && entry.read ? (entry.read as Record<string, unknown>) : referenceTree(entry.fields),
    };
    if (entry.identity.subresource) written.subresource = entry.identity.subresource;
    result.push(written);
  }
  return result.length > 0 ? result : undefined;
}

/** The fieldsV1 tree as first built: the joined paths sorted, then inserted one by one. */
function referenceTree(fields: Set<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const key of [...fields].sort()) {
    let node = root;
    for (const element of key.split("\u0000")) {
      if (typeof node[element] !== "object") node[element] = {};
      node = node[element] as Record<string, unknown>;
    }
  }
  return root;
}

/** A small deterministic random source. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

/** A random pod-like object: list maps with keys (containers, ports, conditions), sets, atomic lists, maps. */
function randomPod(random: () => number): KubeObject {
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];
  const maybe = (p = 0.5) => random() < p;
  const scalar = () => pick<unknown>(["a", "b", 1, 2, true, false, null, "", 0]);
  const labels = () => {
    const result: Record<string, unknown> = {};
    for (const key of ["app", "tier", "x"]) if (maybe()) result[key] = pick(["web", "db", ""]);
    return result;
  };
  const container = (name: string) => {
    const result: Record<string, unknown> = { name };
    if (maybe(0.8)) result.image = pick(["nginx", "busybox", "redis"]);
    if (maybe()) result.args = pick([[], ["sleep", "1"], ["x"]]);
    if (maybe()) {
      const ports: unknown[] = [];
      for (const port of [80, 443, 8080]) {
        if (!maybe()) continue;
        const item: Record<string, unknown> = { containerPort: port };
        if (maybe()) item.protocol = pick(["TCP", "UDP"]);
        if (maybe()) item.name = pick(["http", "https"]);
        ports.push(item);
      }
      result.ports = ports;
    }
    if (maybe(0.3)) result.resources = maybe() ? {} : { limits: { cpu: pick(["1", "2"]) } };
    return result;
  };
  const metadata: Record<string, unknown> = { name: "p", namespace: "default", uid: "u", resourceVersion: "5" };
  if (maybe(0.7)) metadata.labels = labels();
  if (maybe(0.4)) metadata.annotations = labels();
  if (maybe(0.3)) metadata.finalizers = pick([[], ["a"], ["a", "b"], ["b", "a"], ["a", "a"]]);
  if (maybe(0.3)) metadata.ownerReferences = [{ uid: pick(["1", "2"]), kind: "ReplicaSet", name: "rs" }];
  if (maybe(0.1)) metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
  const spec: Record<string, unknown> = {};
  if (maybe(0.9)) {
    const containers: unknown[] = [];
    for (const name of ["a", "b", "a"]) if (maybe(0.6)) containers.push(container(name));
    spec.containers = containers;
  }
  if (maybe(0.3)) spec.nodeName = pick(["n1", "n2"]);
  if (maybe(0.3)) spec.nodeSelector = labels();
  if (maybe(0.2)) spec.tolerations = [{ key: pick(["k", "j"]), operator: "Exists" }];
  if (maybe(0.2)) spec.odd = maybe() ? scalar() : maybe() ? [scalar()] : { v: scalar() };
  const object: Record<string, unknown> = { apiVersion: "v1", kind: "Pod", metadata };
  if (maybe(0.95)) object.spec = spec;
  if (maybe(0.8)) {
    const status: Record<string, unknown> = { phase: pick(["Pending", "Running"]) };
    if (maybe()) {
      const conditions: unknown[] = [];
      for (const type of ["Ready", "PodScheduled", "Ready"]) {
        if (maybe(0.6)) conditions.push({ type, status: pick(["True", "False"]), lastTransitionTime: null });
      }
      status.conditions = conditions;
    }
    if (maybe()) {
      status.containerStatuses = [
        { name: "a", ready: maybe(), state: maybe() ? { running: { startedAt: "t" } } : { waiting: {} } },
      ];
    }
    if (maybe(0.3)) status.podIPs = [{ ip: pick(["10.0.0.1", "10.0.0.2"]) }];
    object.status = status;
  }
  return object as unknown as KubeObject;
}

describe("managedFieldsAfterUpdate", () => {
  it("gives the same managedFields as comparing both objects' whole field maps", () => {
    const random = seeded(7);
    const managers: ManagerIdentity[] = [
      { manager: "kubectl", operation: "Update", apiVersion: "v1" },
      { manager: "kubelet", operation: "Update", apiVersion: "v1", subresource: "status" },
      { manager: "ctl", operation: "Apply", apiVersion: "v1" },
      { manager: "other", operation: "Update", apiVersion: "v1" },
    ];
    let compared = 0;
    for (let round = 0; round < 100; round++) {
      let current: KubeObject | undefined;
      for (let step = 0; step < 8; step++) {
        const next = step > 0 && random() < 0.2 ? structuredClone(current as KubeObject) : randomPod(random);
        if (step > 0 && random() < 0.3 && current?.status) next.status = structuredClone(current.status);
        const identity = managers[Math.floor(random() * managers.length)];
        const time = `2026-01-01T00:00:0${step}Z`;
        const expected = reference(current && structuredClone(current), next, identity, time);
        const actual = managedFieldsAfterUpdate(current && structuredClone(current), next, identity, time);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
        compared++;
        next.metadata.managedFields = actual;
        current = next;
      }
    }
    expect(compared).toBe(800);
  });

  it("finds exactly the paths of an object's field map", () => {
    const random = seeded(11);
    let definite = 0;
    for (let round = 0; round < 300; round++) {
      const object = randomPod(random);
      const other = randomPod(random);
      const fields = fieldValuesOf(object);
      expect(JSON.stringify(fieldsTreeOf(object))).toBe(JSON.stringify(referenceTree(new Set(fields.keys()))));
      const wrong: string[] = [];
      for (const key of fields.keys()) if (!hasField(object, key)) wrong.push(key);
      for (const key of fieldValuesOf(other).keys()) if (hasField(object, key) !== fields.has(key)) wrong.push(key);
      expect(wrong).toEqual([]);
      // A tree of some of both objects' fields: whether all are the object's, and how many.
      const mixed = new Set([...fields.keys()].filter(() => random() < 0.7));
      for (const key of fieldValuesOf(other).keys()) if (random() < 0.2) mixed.add(key);
      const tree = toFieldsV1(mixed);
      expect(JSON.stringify(tree)).toBe(JSON.stringify(referenceTree(mixed)));
      const read = fromFieldsV1(tree);
      const found = treeFieldsIn(tree, object);
      if (found) definite++;
      if (found) expect(found).toEqual({ all: [...read].every((key) => fields.has(key)), count: read.size });
      for (const key of mixed) expect(treeHasField(tree, key)).toBe(read.has(key));
    }
    expect(definite).toBeGreaterThan(150);
  });
});
