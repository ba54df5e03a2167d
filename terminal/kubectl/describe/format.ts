import { formatTabbed } from "../printers/tabwriter";

/**
 * kubectl describe's output helpers: a prefix writer whose levels indent by two spaces, run
 * through a tabwriter with padding 2 (describe's `tabbedString`), flushable mid-way as
 * DescribeEvents does before its table.
 */
export class DescribeWriter {
  private pending = "";
  private out = "";

  write(level: number, text: string): void {
    this.pending += "  ".repeat(level) + text;
  }

  line(level: number, text: string): void {
    this.write(level, `${text}\n`);
  }

  flush(): void {
    this.out += formatTabbed(this.pending, 2, 0);
    this.pending = "";
  }

  toString(): string {
    this.flush();
    return this.out;
  }

  /** The text as written, tabs kept (what kubectl prints when it skips the tabwriter). */
  unformatted(): string {
    return this.out + this.pending;
  }
}

const skippedAnnotations = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);
const maxAnnotationLength = 140;

/** printLabelsMultilineWithIndent. */
export function printLabels(
  w: DescribeWriter,
  title: string,
  labels: Record<string, string> | undefined,
  initialIndent = "",
  innerIndent = "\t",
): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  keys.forEach((key, index) => {
    if (index !== 0) w.write(0, `${initialIndent}${innerIndent}`);
    w.write(0, `${key}=${(labels as Record<string, string>)[key]}\n`);
  });
}

/** printAnnotationsMultiline (skips the last-applied annotation, folds long values). */
export function printAnnotations(
  w: DescribeWriter,
  title: string,
  annotations: Record<string, string> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((key) => !skippedAnnotations.has(key))
    .sort();
  if (keys.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  keys.forEach((key, index) => {
    if (index !== 0) w.write(0, "\t");
    const value = ((annotations as Record<string, string>)[key] ?? "").replace(/\n$/, "");
    if (value.length + key.length + 2 > maxAnnotationLength || value.includes("\n")) {
      w.write(0, `${key}:\n`);
      for (const part of value.split("\n")) {
        const shortened = part.length > maxAnnotationLength - 2 ? `${part.slice(0, maxAnnotationLength - 2)}...` : part;
        w.write(0, `\t  ${shortened}\n`);
      }
    } else {
      w.write(0, `${key}: ${value}\n`);
    }
  });
}

/** Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function rfc1123z(timestamp: string | undefined): string {
  if (!timestamp) return "<unset>";
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return "<unset>";
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${days[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** apimachinery's duration.HumanDuration. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.trunc(milliseconds / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince. */
export function since(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return "<unknown>";
  const time = new Date(timestamp).getTime();
  if (Number.isNaN(time)) return "<unknown>";
  return humanDuration(now.getTime() - time);
}

/** A label selector as labels.Selector prints it (`a=b,c in (d,e)`). */
export function formatSelector(
  selector:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      }
    | undefined,
): string {
  if (!selector) return "<none>";
  const parts: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) parts.push({ key, text: `${key}=${value}` });
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(",");
    switch (expression.operator) {
      case "In":
        parts.push({ key: expression.key, text: `${expression.key} in (${values})` });
        break;
      case "NotIn":
        parts.push({ key: expression.key, text: `${expression.key} notin (${values})` });
        break;
      case "Exists":
        parts.push({ key: expression.key, text: expression.key });
        break;
      case "DoesNotExist":
        parts.push({ key: expression.key, text: `!${expression.key}` });
        break;
    }
  }
  if (parts.length === 0) return "<none>";
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((part) => part.text)
    .join(",");
}

/** `labels.FormatLabels` for a plain map (service selectors). */
export function formatLabelMap(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((key) => `${key}=${(labels as Record<string, string>)[key]}`).join(",");
}
