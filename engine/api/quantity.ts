/**
 * Kubernetes resource quantities (`"100m"`, `"1Gi"`, `"1.5"`, `"1e3"`), parsed and printed as
 * apimachinery's `resource.Quantity` does: exact decimal arithmetic down to nano units (finer
 * values round up, away from zero), the format remembered from the suffix, and the canonical
 * string chosen by `CanonicalizeBytes` (largest SI exponent that keeps the mantissa an integer;
 * binary suffixes only for exact multiples of 1024 at or above 1024).
 */

/** The three ways a quantity may be written, as upstream's `resource.Format`. */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface ParsedQuantity {
  /** The value in nano units (value × 10⁹), exact. */
  nanos: bigint;
  format: QuantityFormat;
}

/** The message upstream's parser gives for a malformed quantity. */
export const quantityErrorMessage =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {
  constructor(public readonly input: string) {
    super(quantityErrorMessage);
    this.name = "QuantityError";
  }
}

const NANO = 1_000_000_000n;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map(
  Object.entries(decimalSuffixes).map(([suffix, exponent]) => [exponent, suffix]),
);
const binarySuffixByExponent = new Map(Object.entries(binarySuffixes).map(([suffix, exponent]) => [exponent, suffix]));

const quantityPattern = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** Divides rounding away from zero, as upstream rounds sub-nano precision up. */
function divideAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  if (quotient * denominator === numerator) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

/** Parses a quantity; throws QuantityError for malformed input. Numbers are accepted as JSON numbers are. */
export function parseQuantity(input: string | number): ParsedQuantity {
  const text = typeof input === "number" ? numberToQuantityText(input) : input.trim();
  if (text.length === 0 || text !== (typeof input === "number" ? text : input)) throw new QuantityError(String(input));
  const match = quantityPattern.exec(text);
  if (!match) throw new QuantityError(text);
  const [, numberPart, suffix] = match;
  let format: QuantityFormat;
  let decimalExponent = 0;
  let binaryExponent = 0;
  if (suffix in decimalSuffixes) {
    format = "DecimalSI";
    decimalExponent = decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    format = "BinarySI";
    binaryExponent = binarySuffixes[suffix];
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = "DecimalExponent";
    decimalExponent = Number.parseInt(suffix.slice(1), 10);
  } else {
    throw new QuantityError(text);
  }
  const negative = numberPart.startsWith("-");
  const unsigned = numberPart.replace(/^[+-]/, "");
  const [whole, fraction = ""] = unsigned.split(".");
  const digits = BigInt((whole || "0") + fraction || "0");
  // value = digits × 10^(decimalExponent − fraction.length) × 2^binaryExponent, in nanos: × 10^9.
  const scale = decimalExponent - fraction.length + 9;
  let numerator = digits * 2n ** BigInt(binaryExponent);
  let denominator = 1n;
  if (scale >= 0) numerator *= 10n ** BigInt(scale);
  else denominator = 10n ** BigInt(-scale);
  let nanos = divideAwayFromZero(numerator, denominator);
  if (negative) nanos = -nanos;
  return { nanos, format };
}

function numberToQuantityText(value: number): string {
  if (!Number.isFinite(value)) throw new QuantityError(String(value));
  const text = String(value);
  // JavaScript prints 1e21 and 1e-7 in exponent form, which is also a valid quantity.
  return text.replace("e+", "e");
}

/** True when `input` parses as a quantity. */
export function isQuantity(input: unknown): boolean {
  if (typeof input !== "string" && typeof input !== "number") return false;
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}

/** The quantity as a floating-point number (`"100m"` → 0.1, `"1Gi"` → 1073741824). */
export function quantityToNumber(input: string | number): number {
  const { nanos } = parseQuantity(input);
  const whole = nanos / NANO;
  const rest = nanos % NANO;
  return Number(whole) + Number(rest) / 1e9;
}

/** Upstream's `MilliValue()`: the value in thousandths, rounded up (`"1"` → 1000, `"0.1m"` → 1). */
export function quantityToMilli(input: string | number): number {
  return Number(divideAwayFromZero(parseQuantity(input).nanos, 1_000_000n));
}

/** Upstream's `Value()`: the integer value, rounded up (`"100m"` → 1). */
export function quantityToInteger(input: string | number): number {
  return Number(divideAwayFromZero(parseQuantity(input).nanos, NANO));
}

/** Prints a value in nanos in the given format, as upstream's `Quantity.String()`. */
export function formatQuantity(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return "0";
  let effective = format;
  if (format === "BinarySI") {
    const magnitude = nanos < 0n ? -nanos : nanos;
    // Between -1024 and 1024, or fractional: avoid rounding by printing in decimal.
    if (magnitude < 1024n * NANO || magnitude % NANO !== 0n) effective = "DecimalSI";
  }
  const sign = nanos < 0n ? "-" : "";
  let mantissa = nanos < 0n ? -nanos : nanos;
  if (effective === "BinarySI") {
    mantissa /= NANO;
    let exponent = 0;
    while (exponent < 60 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      exponent += 10;
    }
    return `${sign}${mantissa}${binarySuffixByExponent.get(exponent) ?? ""}`;
  }
  // Decimal: the largest exponent, a multiple of 3, that leaves an integer mantissa.
  let exponent = -9;
  while (mantissa % 1000n === 0n && (effective === "DecimalExponent" || exponent < 18)) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (effective === "DecimalExponent") return `${sign}${mantissa}${exponent === 0 ? "" : `e${exponent}`}`;
  return `${sign}${mantissa}${decimalSuffixByExponent.get(exponent) ?? ""}`;
}

/** The canonical form of a quantity (`"1.5"` → `"1500m"`, `"1024Mi"` → `"1Gi"`, `"1000"` → `"1k"`). */
export function canonicalQuantity(input: string | number): string {
  const { nanos, format } = parseQuantity(input);
  return formatQuantity(nanos, format);
}

/** Sums quantities exactly; the result keeps the first operand's format (as upstream's `Add`). */
export function addQuantities(...inputs: Array<string | number>): ParsedQuantity {
  let nanos = 0n;
  let format: QuantityFormat = "DecimalSI";
  inputs.forEach((input, index) => {
    const parsed = parseQuantity(input);
    if (index === 0) format = parsed.format;
    nanos += parsed.nanos;
  });
  return { nanos, format };
}

/** Compares two quantities: negative, zero or positive as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: string | number, b: string | number): number {
  const difference = parseQuantity(a).nanos - parseQuantity(b).nanos;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
