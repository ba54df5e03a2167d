/**
 * The pod-template-hash as upstream computes it (pkg/controller/controller_utils.go ComputeHash):
 * FNV-32a over the template, then the collision count as 8 little-endian bytes (only the low 32
 * bits set), printed in decimal and passed through rand.SafeEncodeString. Upstream hashes a Go
 * spew dump of the struct; we hash a canonical JSON rendering (keys sorted), so the digits differ
 * from a real cluster's but the alphabet, length and stability properties are the same.
 */

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`, continuing from `seed`. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** apimachinery's rand.SafeEncodeString: maps every character onto an alphabet without vowels. */
export function safeEncodeString(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, so equal objects render to equal bytes whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}

const encoder = new TextEncoder();

/** controller.ComputeHash: the hash that names a Deployment's ReplicaSets and labels their pods. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let hash = fnv32a(encoder.encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}

/** names.SimpleNameGenerator's suffix: five characters from the same alphabet. */
export function randomSuffix(length = 5, random: () => number = Math.random): string {
  let out = "";
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[Math.floor(random() * SAFE_ALPHABET.length)];
  return out;
}
