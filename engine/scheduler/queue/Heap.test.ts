import { describe, expect, it } from "vitest";
import { Heap } from "./Heap";

interface Item {
  key: string;
  value: number;
}

describe("Heap", () => {
  it("pops in order through random pushes, updates and deletes by key", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const heap = new Heap<Item>(
      (item) => item.key,
      (a, b) => a.value < b.value,
    );
    const reference = new Map<string, number>();
    for (let step = 0; step < 5000; step++) {
      const key = `k${Math.floor(random() * 200)}`;
      const action = random();
      if (action < 0.5) {
        const value = Math.floor(random() * 1000);
        heap.push({ key, value });
        reference.set(key, value);
      } else if (action < 0.7) {
        expect(heap.delete(key)?.value).toBe(reference.get(key));
        reference.delete(key);
      } else {
        const top = heap.pop();
        const min = Math.min(...reference.values());
        if (reference.size === 0) expect(top).toBeUndefined();
        else {
          expect(top?.value).toBe(min);
          reference.delete(top?.key ?? "");
        }
      }
      expect(heap.size).toBe(reference.size);
      expect(heap.get(key)?.value).toBe(reference.get(key));
    }
    const drained: number[] = [];
    for (let top = heap.pop(); top; top = heap.pop()) drained.push(top.value);
    expect(drained).toEqual([...reference.values()].sort((a, b) => a - b));
  });
});
