/**
 * A cron schedule as robfig/cron's ParseStandard reads it (what the CronJob controller uses):
 * five fields (minute hour day-of-month month day-of-week) with `*`, `?`, lists, ranges, steps and
 * month/weekday names; the descriptors @yearly/@annually, @monthly, @weekly, @daily/@midnight,
 * @hourly and `@every <duration>`; an optional `CRON_TZ=` or `TZ=` prefix. Times are computed in
 * the given IANA time zone. Parsing never throws: bad input yields an error message.
 */
export interface Schedule {
  /** The first activation strictly after `afterMs` (undefined if none within five years). */
  next(afterMs: number): number | undefined;
}

export type ParseResult = { schedule: Schedule; error?: undefined } | { schedule?: undefined; error: string };

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface Field {
  min: number;
  max: number;
  names?: string[];
  nameOffset?: number;
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameOffset: 1 },
  { min: 0, max: 6, names: DAYS, nameOffset: 0 },
];

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Parses `text` in `timeZone` (IANA name; default UTC, the controller manager's zone here). */
export function parseSchedule(text: string, timeZone = "UTC"): ParseResult {
  let spec = (text ?? "").trim();
  let zone = timeZone;
  const tzMatch = /^(CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(spec);
  if (tzMatch) {
    zone = tzMatch[2];
    spec = tzMatch[3].trim();
  }
  if (!isValidTimeZone(zone)) return { error: `provided bad location ${zone}: unknown time zone ${zone}` };
  if (spec.length === 0) return { error: "empty spec string" };
  if (spec.startsWith("@every ")) {
    const delay = parseGoDuration(spec.slice(7).trim());
    if (delay === undefined)
      return { error: `failed to parse duration ${spec}: time: invalid duration "${spec.slice(7).trim()}"` };
    const step = Math.max(1000, Math.floor(delay / 1000) * 1000);
    return { schedule: { next: (after) => Math.floor(after / 1000) * 1000 + step } };
  }
  if (spec.startsWith("@")) {
    const expanded = DESCRIPTORS[spec.toLowerCase()];
    if (!expanded) return { error: `unrecognized descriptor: ${spec}` };
    spec = expanded;
  }
  const parts = spec.split(/\s+/);
  if (parts.length !== 5) return { error: `expected exactly 5 fields, found ${parts.length}: [${parts.join(" ")}]` };
  const sets: Array<Set<number>> = [];
  const stars: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    const parsed = parseField(parts[i], FIELDS[i]);
    if ("error" in parsed) return { error: parsed.error };
    sets.push(parsed.values);
    stars.push(parsed.star);
  }
  const [minutes, hours, days, months, weekdays] = sets;
  const wall = wallClock(zone);
  const dayMatches = (date: Date) => {
    const dom = days.has(date.getUTCDate());
    const dow = weekdays.has(date.getUTCDay());
    return stars[2] || stars[4] ? dom && dow : dom || dow;
  };
  return {
    schedule: {
      next(after) {
        let t = Math.floor(wall.toWall(after) / 60_000) * 60_000 + 60_000;
        const limit = t + 5 * 366 * 86_400_000;
        while (t < limit) {
          const date = new Date(t);
          if (!months.has(date.getUTCMonth() + 1)) {
            t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
            continue;
          }
          if (!dayMatches(date)) {
            t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
            continue;
          }
          if (!hours.has(date.getUTCHours())) {
            t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours() + 1);
            continue;
          }
          if (!minutes.has(date.getUTCMinutes())) {
            t += 60_000;
            continue;
          }
          const instant = wall.fromWall(t);
          if (instant !== undefined && instant > after) return instant;
          t += 60_000;
        }
        return undefined;
      },
    },
  };
}

function parseField(text: string, field: Field): { values: Set<number>; star: boolean } | { error: string } {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(",")) {
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined) return { error: `too many slashes: ${part}` };
    let low: number;
    let high: number;
    if (range === "*" || range === "?") {
      low = field.min;
      high = field.max;
      if (stepText === undefined) star = true;
    } else {
      const bounds = range.split("-");
      if (bounds.length > 2) return { error: `too many hyphens: ${part}` };
      const first = parseValue(bounds[0], field);
      if (first === undefined) return { error: `failed to parse int from ${bounds[0]}` };
      low = first;
      if (bounds.length === 2) {
        const second = parseValue(bounds[1], field);
        if (second === undefined) return { error: `failed to parse int from ${bounds[1]}` };
        high = second;
      } else {
        high = stepText !== undefined ? field.max : first;
      }
    }
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) return { error: `failed to parse int from ${stepText}` };
      step = Number(stepText);
      if (step === 0) return { error: `step of range should be a positive number: ${part}` };
    }
    if (low < field.min) return { error: `beginning of range (${low}) below minimum (${field.min}): ${part}` };
    if (high > field.max) return { error: `end of range (${high}) above maximum (${field.max}): ${part}` };
    if (low > high) return { error: `beginning of range (${low}) beyond end of range (${high}): ${part}` };
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return { values, star };
}

function parseValue(text: string, field: Field): number | undefined {
  if (field.names) {
    const index = field.names.indexOf(text.toLowerCase());
    if (index >= 0) return index + (field.nameOffset ?? 0);
  }
  if (!/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** Converts between instants and wall-clock times in a zone (wall times encoded as UTC epoch ms). */
function wallClock(zone: string): { toWall(instant: number): number; fromWall(wall: number): number | undefined } {
  if (zone === "UTC" || zone === "Etc/UTC") return { toWall: (t) => t, fromWall: (t) => t };
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const toWall = (instant: number) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(instant)))
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant % 1000);
  };
  return {
    toWall,
    fromWall(wall) {
      // Two rounds of offset correction; a wall time inside a DST gap has no instant.
      let guess = wall - (toWall(wall) - wall);
      guess = wall - (toWall(guess) - guess);
      return toWall(guess) === wall ? guess : undefined;
    },
  };
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Go's time.ParseDuration for the units cron uses (ns … h); undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const match of text.matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(match[1]) * units[match[2]];
  return total;
}
