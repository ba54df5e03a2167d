/**
 * JSONPath-like paths as lessons write them: `spec.containers[0].image`, `.spec.replicas`,
 * `{.status.phase}`, `metadata.labels["app.kubernetes.io/name"]`, `spec.containers[*].image`.
 */
export type PathStep = string | number | "*";

/** Splits a path into steps; throws with a readable message on a malformed path. */
export function parsePath(path: string): PathStep[] {
  let text = path.trim();
  if (text.startsWith("{") && text.endsWith("}")) text = text.slice(1, -1);
  if (text.startsWith("$")) text = text.slice(1);
  const steps: PathStep[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === ".") {
      index++;
      continue;
    }
    if (char === "[") {
      const close = text.indexOf("]", index);
      if (close < 0) throw new Error(`path ${path}: "[" without "]"`);
      const inner = text.slice(index + 1, close).trim();
      if (inner === "*") steps.push("*");
      else if (/^-?\d+$/.test(inner)) steps.push(Number(inner));
      else if (/^(["']).*\1$/.test(inner)) steps.push(inner.slice(1, -1));
      else throw new Error(`path ${path}: cannot read [${inner}]`);
      index = close + 1;
      continue;
    }
    let end = index;
    while (end < text.length && text[end] !== "." && text[end] !== "[") end++;
    steps.push(text.slice(index, end));
    index = end;
  }
  return steps;
}

/** Every value at the path (several with `[*]`); an empty list when the path leads nowhere. */
export function valuesAt(object: unknown, path: string): unknown[] {
  let current: unknown[] = [object];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || value === undefined) continue;
      if (step === "*") {
        if (Array.isArray(value)) next.push(...value);
        else if (typeof value === "object") next.push(...Object.values(value));
      } else if (typeof step === "number") {
        if (Array.isArray(value)) {
          const item = value[step < 0 ? value.length + step : step];
          if (item !== undefined) next.push(item);
        }
      } else if (typeof value === "object" && !Array.isArray(value) && step in value) {
        next.push((value as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  return current;
}
