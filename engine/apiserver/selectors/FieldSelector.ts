/** One term of a field selector: `spec.nodeName=node01` or `status.phase!=Failed`. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** Thrown for a malformed field selector; the API answers 400 with the message. */
export class FieldSelectorParseError extends Error {}

/**
 * Parses a field selector (`metadata.name=web,status.phase!=Running`) as upstream's
 * `fields.ParseSelector`: terms separated by unescaped commas, operators `=`, `==`, `!=`, and
 * backslash escapes for `\,` `\=` `\\`.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const requirements: FieldRequirement[] = [];
  if (selector.trim() === "") return requirements;
  for (const term of splitTerms(selector)) {
    if (term === "") continue;
    const parsed = splitTerm(term);
    if (!parsed) throw new FieldSelectorParseError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [field, operator, rawValue] = parsed;
    let value: string;
    try {
      value = unescapeValue(rawValue);
    } catch (error) {
      throw new FieldSelectorParseError((error as Error).message);
    }
    requirements.push({ field, operator: operator === "!=" ? "!=" : "=", value });
  }
  return requirements;
}

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let index = 0; index < selector.length; index++) {
    if (escaped) escaped = false;
    else if (selector[index] === "\\") escaped = true;
    else if (selector[index] === ",") {
      terms.push(selector.slice(start, index));
      start = index + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

function splitTerm(term: string): [string, string, string] | undefined {
  for (let index = 0; index < term.length; index++) {
    for (const operator of ["!=", "==", "="]) {
      if (term.startsWith(operator, index))
        return [term.slice(0, index), operator, term.slice(index + operator.length)];
    }
  }
  return undefined;
}

function unescapeValue(value: string): string {
  let result = "";
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === "\\") {
      const next = value[++index];
      if (next === "\\" || next === "," || next === "=") result += next;
      else throw new Error(`invalid field selector: invalid escape sequence: \\${next ?? ""}`);
    } else if (char === "," || char === "=") {
      throw new Error(`invalid field selector: unescaped reserved character: ${char}`);
    } else result += char;
  }
  return result;
}

/** True when every requirement holds for the object's field values. */
export function fieldsMatch(
  requirements: FieldRequirement[],
  fieldValue: (field: string) => string | undefined,
): boolean {
  return requirements.every((requirement) => {
    const actual = fieldValue(requirement.field) ?? "";
    return requirement.operator === "=" ? actual === requirement.value : actual !== requirement.value;
  });
}
