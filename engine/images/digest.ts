/**
 * A stable 64-hex-digit identifier derived from `text`. Digests and IDs must look like sha256
 * and stay the same across restarts; cryptographic strength is not needed for a simulation.
 */
export function stableHex64(text: string): string {
  let out = "";
  for (let round = 0; round < 8; round++) {
    let hash = 0x811c9dc5 ^ (round * 0x9e3779b1);
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d);
    hash ^= hash >>> 12;
    out += (hash >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}
