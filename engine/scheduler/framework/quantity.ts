import type { Quantity } from "../../api/core";

const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const cache = new Map<string, number>();

/**
 * The value of a Kubernetes quantity (`"500m"`, `"1Gi"`, `"2e3"`) as a number of base units.
 * Results are memoized: a cluster has few distinct quantity strings and the scheduler parses
 * them on every pod. Invalid input reads as 0 (the API server rejects it before we see it).
 */
export function quantityValue(quantity: Quantity | undefined): number {
  if (quantity === undefined || quantity === null) return 0;
  if (typeof quantity === "number") return quantity;
  const cached = cache.get(quantity);
  if (cached !== undefined) return cached;
  const match = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE]?)$/.exec(quantity.trim());
  let value = 0;
  if (match) {
    const number = Number(match[1]);
    const suffix = match[2];
    if (suffix.startsWith("e") || suffix.startsWith("E")) {
      value = number * 10 ** Number(suffix.slice(1));
    } else {
      value = number * (binarySuffixes[suffix] ?? decimalSuffixes[suffix] ?? 1);
    }
  }
  if (cache.size < 10_000) cache.set(quantity, value);
  return value;
}

/** CPU in millicores, rounded up as `resource.Quantity.MilliValue()` does. */
export function milliValue(quantity: Quantity | undefined): number {
  return Math.ceil(quantityValue(quantity) * 1000 - 1e-9);
}

/** Memory, storage and counts in whole units, rounded up as `resource.Quantity.Value()` does. */
export function wholeValue(quantity: Quantity | undefined): number {
  return Math.ceil(quantityValue(quantity) - 1e-9);
}
