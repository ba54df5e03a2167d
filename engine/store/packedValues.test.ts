import { describe, expect, it } from "vitest";
import { KeyValueStore } from "./KeyValueStore";
import { type Delta, Packer, unpack } from "./packedValues";

const eventFields = {
  "f:count": {},
  "f:firstTimestamp": {},
  "f:involvedObject": { "f:apiVersion": {}, "f:fieldPath": {}, "f:kind": {}, "f:name": {}, "f:uid": {} },
  "f:lastTimestamp": {},
  "f:message": {},
  "f:reason": {},
  "f:source": { "f:component": {}, "f:host": {} },
  "f:type": {},
};

function event(name: string, fields: object = eventFields): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name,
      namespace: "default",
      managedFields: [
        {
          manager: "kubelet",
          operation: "Update",
          apiVersion: "v1",
          time: "2026-01-01T00:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: fields,
        },
      ],
    },
    message: 'a "quoted" message with } and { inside, \\ and é',
    reason: "Started",
  });
}

describe("packed values", () => {
  it("keeps a value close to the base as a delta that gives back exactly the text written", () => {
    const packer = new Packer();
    const first = event("web-1.1");
    expect(packer.pack(first)).toBe(first);
    const second = event("web-22.2", { ...eventFields, "f:series": {} });
    const delta = packer.pack(second) as Delta;
    expect(typeof delta).toBe("object");
    expect(unpack(delta)).toBe(second);
    expect(delta.length).toBe(second.length);
    const literal = delta.literals;
    expect(literal.length).toBeLessThan(second.length / 4);
    expect(literal).toContain("22.2");
  });

  it("makes a value far from the base the next base", () => {
    const packer = new Packer();
    packer.pack(event("web-1.3"));
    const other = JSON.stringify({
      kind: "Node",
      items: Array.from({ length: 40 }, (_, index) => `node-${index * 7919}`),
    });
    expect(packer.pack(other)).toBe(other);
    const next = other.replace("node-0", "node-x");
    const delta = packer.pack(next) as Delta;
    expect(typeof delta).toBe("object");
    expect(delta.base.text).toBe(other);
    expect(unpack(delta)).toBe(next);
  });

  it("gives back every text exactly, however it differs from the base (property test)", () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = 'abc{}":,é0123456789 ';
    const packer = new Packer();
    let text = event("web-0");
    let deltas = 0;
    for (let round = 0; round < 300; round++) {
      const edits = 1 + Math.floor(random() * 6);
      for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(random() * text.length);
        const cut = Math.floor(random() * 20);
        let insert = "";
        for (let count = Math.floor(random() * 20); count > 0; count--)
          insert += alphabet[Math.floor(random() * alphabet.length)];
        text = text.slice(0, at) + insert + text.slice(at + cut);
      }
      const packed = packer.pack(text);
      if (typeof packed !== "string") deltas++;
      expect(typeof packed === "string" ? packed : unpack(packed)).toBe(text);
    }
    expect(deltas).toBeGreaterThan(100);
  });

  it("keeps short values and text with surrogates whole", () => {
    const packer = new Packer();
    packer.pack(event("web-1.5"));
    expect(packer.pack('{"a":1}')).toBe('{"a":1}');
    const emoji = event("web-😀");
    expect(packer.pack(emoji)).toBe(emoji);
    const long = event("web-1.5").replace("Started", "x".repeat(70_000));
    expect(packer.pack(long)).toBe(long);
  });

  it("reads, watches, compares and snapshots a packed value as the text written", () => {
    const store = new KeyValueStore();
    const text = event("web-1.4");
    const seen: string[] = [];
    store.watch("/registry/events/", { prefix: true }, (events) => {
      for (const change of events) seen.push(change.kv.value, change.prevKv?.value ?? "");
    });
    store.put("/registry/events/default/web-1.4", text);
    const updated = event("web-1.4", { ...eventFields, "f:series": {} });
    const response = store.txn({
      compare: [{ key: "/registry/events/default/web-1.4", target: "value", result: "=", value: text }],
      success: [{ type: "put", key: "/registry/events/default/web-1.4", value: updated }],
    });
    expect(response.succeeded).toBe(true);
    expect(seen).toEqual([text, "", updated, text]);
    const kv = store.get("/registry/events/default/web-1.4");
    expect(kv?.value).toBe(updated);
    expect(kv?.version).toBe(2);
    expect(store.range("/registry/events/", { prefix: true, revision: 2 }).kvs[0].value).toBe(text);
    expect(store.sizeBytes).toBeGreaterThan(text.length + updated.length);

    const restored = new KeyValueStore();
    restored.restore(store.snapshot());
    expect(restored.get("/registry/events/default/web-1.4")?.value).toBe(updated);
    expect(restored.range("/registry/events/", { prefix: true, revision: 2 }).kvs[0].value).toBe(text);
    expect(restored.sizeBytes).toBe(store.sizeBytes);
  });
});
