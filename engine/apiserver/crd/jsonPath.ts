import { isPlainObject } from "../patch/mergePatch";

/**
 * The subset of kubectl's JSONPath that CRD printer columns use: `.a.b`, `[0]`, `[*]` and
 * `[?(@.type=="Ready")]`. Returns every match, in order.
 */
export function evaluateJsonPath(object: unknown, path: string): unknown[] {
  const expression = path.trim().replace(/^\{/, "").replace(/\}$/, "");
  let current: unknown[] = [object];
  const tokens = expression.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const value of current) {
      if (token.startsWith(".")) {
        if (isPlainObject(value) && token.slice(1) in value) next.push(value[token.slice(1)]);
        continue;
      }
      const inner = token.slice(1, -1);
      if (!Array.isArray(value)) continue;
      if (inner === "*") next.push(...value);
      else if (/^-?\d+$/.test(inner)) {
        const index = Number(inner);
        const item = value[index < 0 ? value.length + index : index];
        if (item !== undefined) next.push(item);
      } else {
        const filter = /^\?\(@\.([\w.-]+)\s*==\s*["']?([^"')]*)["']?\)$/.exec(inner);
        if (filter) {
          const [, field, expected] = filter;
          for (const item of value) {
            const actual = field
              .split(".")
              .reduce<unknown>((node, part) => (isPlainObject(node) ? node[part] : undefined), item);
            if (actual !== undefined && String(actual) === expected) next.push(item);
          }
        }
      }
    }
    current = next;
  }
  return current;
}
