/**
 * Cron schedule validation as the CronJob API does it (robfig/cron v3's standard parser: five
 * fields, names, ranges, steps, `?`, and the `@hourly`… descriptors), with its error messages.
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const days: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const fieldBounds: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: months },
  { min: 0, max: 6, names: days },
];
const descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

function parseValue(text: string, bounds: Bounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text))
    throw new Error(`failed to parse int from ${text}: strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function checkRange(expression: string, bounds: Bounds): void {
  const [rangePart, stepPart, ...extra] = expression.split("/");
  if (extra.length > 0) throw new Error(`too many slashes: ${expression}`);
  let start: number;
  let end: number;
  if (rangePart === "*" || rangePart === "?") {
    start = bounds.min;
    end = bounds.max;
  } else {
    const [low, high, ...more] = rangePart.split("-");
    if (more.length > 0) throw new Error(`too many hyphens: ${expression}`);
    start = parseValue(low, bounds);
    end = high === undefined ? start : parseValue(high, bounds);
  }
  if (stepPart !== undefined) {
    const step = parseValue(stepPart, { min: 0, max: 0 });
    if (step === 0) throw new Error(`step of range should be a positive number: ${expression}`);
  }
  if (start < bounds.min) throw new Error(`beginning of range (${start}) below minimum (${bounds.min}): ${expression}`);
  if (end > bounds.max) throw new Error(`end of range (${end}) above maximum (${bounds.max}): ${expression}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expression}`);
}

/** The parser's error for `schedule`, or undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text.length === 0) return "empty spec string";
  if (text.startsWith("@")) {
    if (descriptors.includes(text)) return undefined;
    if (text.startsWith("@every ")) {
      return /^@every (\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text) ? undefined : `failed to parse duration ${text}`;
    }
    return `unrecognized descriptor: ${text}`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`;
  try {
    fields.forEach((field, index) => {
      for (const expression of field.split(",")) checkRange(expression, fieldBounds[index]);
    });
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
