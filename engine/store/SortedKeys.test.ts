import { describe, expect, it } from "vitest";
import { SortedKeys } from "./SortedKeys";

function collect(keys: SortedKeys, from = ""): string[] {
  const result: string[] = [];
  keys.forEachFrom(from, (key) => {
    result.push(key);
    return true;
  });
  return result;
}

describe("SortedKeys", () => {
  it("agrees with a sorted array under random inserts and removes across chunk splits", () => {
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    const keys = new SortedKeys();
    const model = new Set<string>();
    for (let step = 0; step < 20_000; step++) {
      const key = `/registry/${random() < 0.5 ? "pods" : "services"}/ns${Math.floor(random() * 5)}/k${Math.floor(random() * 3000)}`;
      if (random() < 0.65) {
        keys.insert(key);
        model.add(key);
      } else {
        keys.remove(key);
        model.delete(key);
      }
      if (step % 2000 === 0) {
        const sorted = [...model].sort();
        expect(collect(keys)).toEqual(sorted);
        expect(keys.size).toBe(model.size);
        const from = "/registry/pods/ns2/";
        expect(collect(keys, from)).toEqual(sorted.filter((candidate) => candidate >= from));
      }
    }
    const sorted = [...model].sort();
    expect(collect(keys)).toEqual(sorted);
    keys.reset(sorted.slice().reverse());
    expect(collect(keys)).toEqual(sorted);
    for (const key of sorted) keys.remove(key);
    expect(collect(keys)).toEqual([]);
    expect(keys.size).toBe(0);
  });

  it("stops when the visitor returns false", () => {
    const keys = new SortedKeys();
    for (const key of ["c", "a", "b", "d"]) keys.insert(key);
    const seen: string[] = [];
    keys.forEachFrom("b", (key) => {
      seen.push(key);
      return key < "c";
    });
    expect(seen).toEqual(["b", "c"]);
  });
});
