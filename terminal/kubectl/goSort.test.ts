import { describe, expect, it } from "vitest";
import { goSort } from "./goSort";

interface Item {
  key: number;
  label: string;
}

/** "1A 0B …" → items with a numeric key and a label, in that order. */
function items(text: string): Item[] {
  return text.split(" ").map((word) => ({ key: Number(word.slice(0, -1)), label: word.slice(-1) }));
}

const byKey = (a: Item, b: Item) => a.key < b.key;
const labels = (list: Item[]) => list.map((item) => item.label).join("");

/** A small deterministic generator, so the property cases are the same on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("goSort", () => {
  it.each([
    { name: "empty", input: "", expected: "" },
    { name: "one item", input: "1A", expected: "A" },
    { name: "ties keep their order up to 12 items (insertion sort)", input: "1A 0B 1C 0D 1E 0F", expected: "BDFACE" },
    {
      name: "12 items, the longest list Go sorts by insertion",
      input: "2A 1B 0C 2D 1E 0F 2G 1H 0I 2J 1K 0L",
      expected: "CFILBEHKADGJ",
    },
  ])("$name", ({ input, expected }) => {
    expect(labels(goSort(input ? items(input) : [], byKey))).toBe(expected);
  });

  it("shuffles ties in a 13-item list exactly as Go's pdqsort does", () => {
    // Traced by hand through Go 1.23's pdqsort: choosePivot samples positions 3, 6, 9 (keys 1, 0, 1),
    // needs one swap (no sortedness hint) and picks position 3 (1D); partition swaps it to the
    // front, exchanges 2↔12, 3↔10, 5↔8, and puts the pivot at 6; both halves are then under 13
    // items and insertion-sorted, which keeps the order partitioning left them in.
    const input = items("1A 0B 1C 1D 0E 1F 0G 1H 0I 1J 0K 1L 0M");
    expect(labels(goSort(input, byKey))).toBe("GBMKEIDHFJALC");
  });

  it("leaves an already sorted list of ties alone (partialInsertionSort finds it sorted)", () => {
    const input = items("0A 0B 0C 0D 0E 0F 0G 0H 0I 0J 0K 0L 0M 0N 0O 0P 0Q 0R 0S 0T");
    expect(labels(goSort(input, byKey))).toBe("ABCDEFGHIJKLMNOPQRST");
  });

  it("sorts in place and returns the same array", () => {
    const input = items("3A 1B 2C");
    expect(goSort(input, byKey)).toBe(input);
    expect(labels(input)).toBe("BCA");
  });

  it.each([
    { name: "few distinct keys", distinct: 3 },
    { name: "many distinct keys", distinct: 1000 },
  ])("orders every length up to 400 and is deterministic ($name)", ({ distinct }) => {
    const random = generator(distinct);
    for (let length = 0; length <= 400; length += length < 60 ? 1 : 17) {
      const input = Array.from({ length }, (_, index) => ({ key: Math.floor(random() * distinct), label: `${index}` }));
      const first = goSort([...input], byKey);
      const second = goSort([...input], byKey);
      expect(first.map((item) => item.label)).toEqual(second.map((item) => item.label));
      expect(first.map((item) => item.key)).toEqual(input.map((item) => item.key).sort((a, b) => a - b));
      expect(new Set(first.map((item) => item.label)).size).toBe(length);
    }
  });

  it.each([
    { name: "descending", make: (i: number, n: number) => n - i },
    { name: "organ pipe", make: (i: number, n: number) => Math.min(i, n - i) },
    { name: "sawtooth", make: (i: number) => i % 7 },
    { name: "sorted with the last item first", make: (i: number, n: number) => (i === 0 ? n : i) },
    { name: "all equal", make: () => 4 },
  ])("sorts patterned input that takes the reverse, break-pattern and equal-partition paths ($name)", ({ make }) => {
    for (const length of [13, 50, 64, 200, 1000]) {
      const input = Array.from({ length }, (_, index) => ({ key: make(index, length), label: `${index}` }));
      const sorted = goSort([...input], byKey).map((item) => item.key);
      expect(sorted).toEqual(input.map((item) => item.key).sort((a, b) => a - b));
    }
  });
});
