/**
 * Kubernetes resource quantities (`500m`, `128Mi`, `1G`, `1e3`) as numbers, and back in
 * upstream's canonical form, enough for LimitRanger and ResourceQuota arithmetic and messages.
 */
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
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

export interface Quantity {
  value: number;
  format: "binary" | "decimal";
}

/** Parses a quantity; undefined when malformed. */
export function parseQuantity(text: unknown): Quantity | undefined {
  if (typeof text === "number") return { value: text, format: "decimal" };
  if (typeof text !== "string") return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/.exec(text.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[2] ?? "";
  if (suffix in BINARY) return { value: number * BINARY[suffix], format: "binary" };
  if (/^[eE]/.test(suffix)) return { value: number * 10 ** Number(suffix.slice(1)), format: "decimal" };
  return { value: number * DECIMAL[suffix], format: "decimal" };
}

/** Upstream's canonical string for a quantity. */
export function formatQuantity(quantity: Quantity): string {
  const { value } = quantity;
  if (value === 0) return "0";
  if (quantity.format === "binary" && Number.isInteger(value)) {
    for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
      if (value % BINARY[suffix] === 0) return `${value / BINARY[suffix]}${suffix}`;
    }
    return String(value);
  }
  if (Number.isInteger(value)) {
    for (const suffix of ["E", "P", "T", "G", "M", "k"]) {
      if (value % DECIMAL[suffix] === 0) return `${value / DECIMAL[suffix]}${suffix}`;
    }
    return String(value);
  }
  const millis = Math.round(value * 1000);
  if (Math.abs(value * 1000 - millis) < 1e-6) return `${millis}m`;
  return `${Math.round(value * 1e9)}n`;
}

/** Sum of quantities, keeping the first one's format. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { value: roundTiny(a.value + b.value), format: a.format };
}

function roundTiny(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
