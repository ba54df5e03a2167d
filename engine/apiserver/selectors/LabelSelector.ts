import type { LabelSelector as LabelSelectorObject } from "../../api/types";
import { isQualifiedName, isValidLabelValue } from "../validation";

/** One clause of a label selector, as upstream's `labels.Requirement`. */
export interface LabelRequirement {
  key: string;
  operator: "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";
  values: string[];
}

/** A parsed label selector: every requirement must hold. The empty selector matches everything. */
export interface Selector {
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector has no requirements (matches everything). */
  empty(): boolean;
  toString(): string;
}

/** Thrown for a malformed selector string; the message is upstream's, the API answers 400 with it. */
export class SelectorParseError extends Error {}

type Token = "identifier" | "!" | "(" | ")" | "," | "=" | "==" | "!=" | ">" | "<" | "in" | "notin" | "end" | "error";

const KEYWORDS: Record<string, Token> = {
  "!": "!",
  "!=": "!=",
  "(": "(",
  ")": ")",
  ",": ",",
  "=": "=",
  "==": "==",
  ">": ">",
  "<": "<",
  in: "in",
  notin: "notin",
};

const SPECIAL = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

function lex(input: string): Array<{ token: Token; literal: string }> {
  const items: Array<{ token: Token; literal: string }> = [];
  let position = 0;
  for (;;) {
    while (position < input.length && WHITESPACE.has(input[position])) position++;
    if (position >= input.length) {
      items.push({ token: "end", literal: "" });
      return items;
    }
    if (SPECIAL.has(input[position])) {
      let buffer = "";
      let last: { token: Token; literal: string } | undefined;
      while (position < input.length && SPECIAL.has(input[position])) {
        buffer += input[position];
        const token = KEYWORDS[buffer];
        if (token) {
          last = { token, literal: buffer };
          position++;
        } else if (last) {
          break;
        } else {
          position++;
        }
      }
      items.push(last ?? { token: "error", literal: `error expected: keyword found '${buffer}'` });
    } else {
      let buffer = "";
      while (position < input.length && !SPECIAL.has(input[position]) && !WHITESPACE.has(input[position])) {
        buffer += input[position++];
      }
      const token = KEYWORDS[buffer];
      items.push({ token: token === "in" || token === "notin" ? token : "identifier", literal: buffer });
    }
  }
}

const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

/**
 * Parses a label selector string (`app=web,tier in (front,back),!canary`) with upstream's grammar
 * and error messages (k8s.io/apimachinery/pkg/labels/selector.go).
 */
export function parseLabelSelector(selector: string): Selector {
  const items = lex(selector);
  let position = 0;
  // In value position, `in` and `notin` are plain identifiers.
  const look = (values: boolean) => {
    const item = items[position];
    return values && (item.token === "in" || item.token === "notin") ? { ...item, token: "identifier" as Token } : item;
  };
  const take = (values: boolean) => {
    const item = look(values);
    position++;
    return item;
  };
  const requirements: LabelRequirement[] = [];
  const fail = (message: string): never => {
    throw new SelectorParseError(message);
  };
  const parseRequirement = (): LabelRequirement => {
    let first = take(true);
    let negated = false;
    if (first.token === "!") {
      negated = true;
      first = take(true);
    }
    if (first.token !== "identifier") fail(`found '${first.literal}', expected: identifier`);
    const key = first.literal;
    const keyErrors = isQualifiedName(key);
    if (keyErrors.length > 0) fail(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join("; ")}`);
    const next = look(true);
    if (next.token === "end" || next.token === ",") {
      return { key, operator: negated ? "!" : "exists", values: [] };
    }
    if (negated) fail(`found '${next.literal}', expected: ',' or 'end of string'`);
    const operatorItem = take(false);
    let operator: LabelRequirement["operator"];
    switch (operatorItem.token) {
      case "in":
      case "notin":
      case "=":
      case "==":
      case "!=":
        operator = operatorItem.token;
        break;
      case ">":
        operator = "gt";
        break;
      case "<":
        operator = "lt";
        break;
      default:
        return fail(`found '${operatorItem.literal}', expected: ${BINARY_OPERATORS}`);
    }
    const values = new Set<string>();
    if (operator === "in" || operator === "notin") {
      const open = take(true);
      if (open.token !== "(") fail(`found '${open.literal}' expected: '('`);
      const inner = look(true);
      if (inner.token === ")") {
        take(true);
        values.add("");
      } else if (inner.token === "identifier" || inner.token === ",") {
        for (;;) {
          const item = take(true);
          if (item.token === "identifier") {
            values.add(item.literal);
            const after = look(true);
            if (after.token === ",") continue;
            if (after.token === ")") break;
            fail(`found '${after.literal}', expected: ',' or ')'`);
          } else if (item.token === ",") {
            if (values.size === 0) values.add("");
            const after = look(true);
            if (after.token === ")") {
              values.add("");
              break;
            }
            if (after.token === ",") values.add("");
          } else {
            fail(`found '${item.literal}', expected: ',', or identifier`);
          }
        }
        const close = take(true);
        if (close.token !== ")") fail(`found '${inner.literal}', expected: ')'`);
      } else {
        fail(`found '${inner.literal}', expected: ',', ')' or identifier`);
      }
    } else {
      const value = look(true);
      if (value.token === "end" || value.token === ",") values.add("");
      else {
        const item = take(true);
        if (item.token !== "identifier") fail(`found '${item.literal}', expected: identifier`);
        values.add(item.literal);
      }
    }
    const sorted = [...values].sort();
    if (operator === "gt" || operator === "lt") {
      if (sorted.length !== 1 || !/^-?\d+$/.test(sorted[0])) {
        fail(
          `values: Invalid value: ${JSON.stringify(sorted)}: for 'Gt', 'Lt' operators, the value must be an integer`,
        );
      }
    } else {
      for (const value of sorted) {
        const valueErrors = isValidLabelValue(value);
        if (valueErrors.length > 0) {
          fail(`values[0][${key}]: Invalid value: ${JSON.stringify(value)}: ${valueErrors.join("; ")}`);
        }
      }
    }
    return { key, operator, values: sorted };
  };
  try {
    for (;;) {
      const item = look(true);
      if (item.token === "end") break;
      if (item.token !== "identifier" && item.token !== "!") {
        throw new SelectorParseError(`found '${item.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(parseRequirement());
      } catch (error) {
        throw new SelectorParseError(`unable to parse requirement: ${(error as Error).message}`);
      }
      const after = take(true);
      if (after.token === "end") break;
      if (after.token === ",") {
        const following = look(true);
        if (following.token !== "identifier" && following.token !== "!") {
          throw new SelectorParseError(`found '${following.literal}', expected: identifier after ','`);
        }
        continue;
      }
      throw new SelectorParseError(`found '${after.literal}', expected: ',' or 'end of string'`);
    }
  } catch (error) {
    if (error instanceof SelectorParseError) throw error;
    throw new SelectorParseError(String(error));
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return makeSelector(requirements);
}

/** The selector of a `metav1.LabelSelector` (matchLabels and matchExpressions), as `LabelSelectorAsSelector`. */
export function selectorFromObject(selector: LabelSelectorObject | undefined | null): Selector {
  if (!selector) return nothing();
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    requirements.push({ key, operator: "=", values: [value] });
  for (const expression of selector.matchExpressions ?? []) {
    const operator = ({ In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as const)[expression.operator];
    if (!operator)
      throw new SelectorParseError(`${JSON.stringify(expression.operator)} is not a valid label selector operator`);
    requirements.push({ key: expression.key, operator, values: [...(expression.values ?? [])].sort() });
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return makeSelector(requirements);
}

/** A selector matching exactly these labels (`SelectorFromSet`). */
export function selectorFromSet(labels: Record<string, string> | undefined): Selector {
  return selectorFromObject({ matchLabels: labels ?? {} });
}

/** The selector that matches everything. */
export function everything(): Selector {
  return makeSelector([]);
}

/** A nil LabelSelector selects nothing, an empty one everything (upstream semantics). */
function nothing(): Selector {
  return {
    requirements: [],
    matches: () => false,
    empty: () => false,
    toString: () => "<none>",
  };
}

function requirementMatches(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case "=":
    case "==":
    case "in":
      return has && requirement.values.includes(value);
    case "!=":
    case "notin":
      return !has || !requirement.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !/^-?\d+$/.test(value)) return false;
      const left = Number(value);
      const right = Number(requirement.values[0]);
      return requirement.operator === "gt" ? left > right : left < right;
    }
  }
}

function requirementString(requirement: LabelRequirement): string {
  switch (requirement.operator) {
    case "exists":
      return requirement.key;
    case "!":
      return `!${requirement.key}`;
    case "in":
    case "notin":
      return `${requirement.key} ${requirement.operator} (${requirement.values.join(",")})`;
    case "gt":
      return `${requirement.key}>${requirement.values[0]}`;
    case "lt":
      return `${requirement.key}<${requirement.values[0]}`;
    default:
      return `${requirement.key}${requirement.operator}${requirement.values[0] ?? ""}`;
  }
}

function makeSelector(requirements: LabelRequirement[]): Selector {
  return {
    requirements,
    matches: (labels) => requirements.every((requirement) => requirementMatches(requirement, labels ?? {})),
    empty: () => requirements.length === 0,
    toString: () => requirements.map(requirementString).join(","),
  };
}
