/**
 * Just enough of resource.Quantity for describe: parse to a number (milli precision) and print
 * sums in the canonical form of the first operand's format (binary SI for Ki/Mi/Gi, decimal SI
 * otherwise).
 */
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = {
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

/** The amount each of resource.Quantity's suffixes stands for (binary and decimal SI; "" is 1). */
const quantitySuffixFactors: Readonly<Record<string, number>> = { ...decimal, ...binary };

/** A parsed quantity. */
export interface Quantity {
  value: number;
  format: "BinarySI" | "DecimalSI" | "DecimalExponent";
}

export function parseQuantity(text: string | number | undefined): Quantity {
  if (text === undefined) return { value: 0, format: "DecimalSI" };
  if (typeof text === "number") return { value: text, format: "DecimalSI" };
  const match = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[a-zA-Z]*)$/.exec(text.trim());
  if (!match) return { value: 0, format: "DecimalSI" };
  const number = Number(match[1]);
  const suffix = match[2] ?? "";
  if (suffix in binary) return { value: number * (binary[suffix] as number), format: "BinarySI" };
  if (/^[eE]/.test(suffix)) return { value: number * 10 ** Number(suffix.slice(1)), format: "DecimalExponent" };
  return { value: number * (decimal[suffix] ?? 1), format: "DecimalSI" };
}

/**
 * resource.ParseQuantity's grammar (a signed decimal, then a binary or decimal SI suffix or an
 * e/E exponent), as the amount; undefined for anything else ("10.244.1.5", a pod IP, is no quantity).
 * Stricter than {@link parseQuantity}, which reads whatever describe is given: get --sort-by needs
 * to know whether a string is a quantity at all.
 */
export function quantityAmount(text: string): number | undefined {
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (match[2] !== undefined) return amount * 10 ** Number(match[2]);
  return amount * (match[3] ? (quantitySuffixFactors[match[3]] as number) : 1);
}

/** Quantity.String() in canonical form. */
export function formatQuantity(quantity: Quantity): string {
  const value = quantity.value;
  if (value === 0) return "0";
  if (quantity.format === "BinarySI" && Number.isInteger(value)) {
    for (const [suffix, factor] of Object.entries(binary).reverse()) {
      if (Math.abs(value) >= factor && value % factor === 0) return `${value / factor}${suffix}`;
    }
    // A whole number of bytes that is no multiple of 1024 prints plain (CanonicalizeBytes).
    return String(value);
  }
  const milli = Math.round(value * 1000);
  if (milli % 1000 !== 0) return `${milli}m`;
  const whole = milli / 1000;
  for (const [suffix, factor] of [
    ["E", 1e18],
    ["P", 1e15],
    ["T", 1e12],
    ["G", 1e9],
    ["M", 1e6],
    ["k", 1e3],
  ] as const) {
    if (Math.abs(whole) >= factor && whole % factor === 0) return `${whole / factor}${suffix}`;
  }
  return String(whole);
}

/** Adds quantities keeping the first one's format. */
export function addQuantities(values: (string | undefined)[]): Quantity {
  let format: Quantity["format"] | undefined;
  let sum = 0;
  for (const text of values) {
    if (text === undefined) continue;
    const parsed = parseQuantity(text);
    format ??= parsed.format;
    sum += parsed.value;
  }
  return { value: sum, format: format ?? "DecimalSI" };
}

/** Quantity.Value(): the value rounded up to a whole number. */
export function quantityValue(quantity: Quantity): number {
  return Math.ceil(quantity.value - 1e-9);
}
