/** Small helpers that turn findings into sentences a learner understands. */

/** Levenshtein distance, for "is the name spelled right?" hints. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] as number;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] as number;
      previous[j] = Math.min(above + 1, (previous[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] as number;
}

/** True when `found` looks like a misspelling of `expected` (close, but not equal). */
export function looksMisspelled(found: string, expected: string): boolean {
  if (found === expected || found.length === 0) return false;
  const distance = editDistance(found.toLowerCase(), expected.toLowerCase());
  return distance <= (expected.length >= 5 ? 2 : 1);
}

/** The closest of `candidates` to `wanted` when it looks like a misspelling. */
export function closest(wanted: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance && looksMisspelled(candidate, wanted)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** A value as it reads in a sentence: strings bare, the rest as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return value === "" ? '""' : value;
  return JSON.stringify(value);
}

/** "1 Pod" / "3 Pods". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : noun.endsWith("s") ? "es" : "s"}`;
}

/** "in namespace default" for namespaced kinds. */
export function inNamespace(namespace: string | undefined): string {
  return namespace ? ` in namespace ${namespace}` : "";
}
