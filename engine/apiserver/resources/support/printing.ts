/**
 * Formatting helpers shared by the table convertors, ported from upstream's
 * pkg/printers/internalversion/printers.go and apimachinery (duration.HumanDuration,
 * labels.FormatLabels, metav1.FormatLabelSelector).
 */
import type { Container } from "../../../api/core";
import type { LabelSelector, ObjectMeta } from "../../../api/types";
import type { TableColumnDefinition } from "../../ResourceDefinition";
import { fieldDescription } from "../schema/descriptions";

/** upstream duration.HumanDuration: `45s`, `5m10s`, `3h4m`, `2d5h`, `<invalid>` for the future. */
export function humanDuration(milliseconds: number): string {
  // Go truncates durations toward zero when converting to whole units.
  const seconds = Math.trunc(milliseconds / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const rest = seconds % 60;
    return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const rest = hours % 24;
    return rest === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${rest}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** upstream translateTimestampSince: the age of an RFC 3339 timestamp, `<unknown>` when unset. */
export function translateTimestampSince(timestamp: string | null | undefined, now: number): string {
  if (!timestamp) return "<unknown>";
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return "<unknown>";
  return humanDuration(now - time);
}

/** upstream labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((key) => `${key}=${labels?.[key]}`).join(",");
}

/**
 * upstream LabelSelectorAsSelector(...).String(): requirements sorted by key, `key=value`,
 * `key in (a,b)`, `key notin (a,b)`, `key`, `!key`. Empty for an empty or absent selector.
 */
export function labelSelectorString(selector: LabelSelector | undefined | null): string {
  if (!selector) return "";
  const requirements: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, text: `${key}=${value}` });
  }
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...new Set(expression.values ?? [])].sort().join(",");
    switch (expression.operator) {
      case "In":
        requirements.push({ key: expression.key, text: `${expression.key} in (${values})` });
        break;
      case "NotIn":
        requirements.push({ key: expression.key, text: `${expression.key} notin (${values})` });
        break;
      case "Exists":
        requirements.push({ key: expression.key, text: expression.key });
        break;
      case "DoesNotExist":
        requirements.push({ key: expression.key, text: `!${expression.key}` });
        break;
      default:
        return "<error>";
    }
  }
  // Go's sort.Sort is not stable, but requirements with equal keys are rare; keep insertion order.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return requirements.map((requirement) => requirement.text).join(",");
}

/** upstream metav1.FormatLabelSelector: the selector string, `<none>` when it selects everything. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  if (!selector) return "<none>";
  const text = labelSelectorString(selector);
  return text.length === 0 ? "<none>" : text;
}

/** upstream layoutContainerCells: container names and images, comma-separated. */
export function layoutContainerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((container) => container.name).join(","), list.map((container) => container.image ?? "").join(",")];
}

/** upstream printBoolPtr. */
export function printBoolPointer(value: boolean | undefined | null): string {
  if (value === undefined || value === null) return "<unset>";
  return value ? "True" : "False";
}

/** The `Name` column every printer starts with. */
export function nameColumn(): TableColumnDefinition {
  return {
    name: "Name",
    type: "string",
    format: "name",
    description: fieldDescription("V1ObjectMeta", "name"),
    priority: 0,
  };
}

/** The `Age` column. */
export function ageColumn(): TableColumnDefinition {
  return {
    name: "Age",
    type: "string",
    format: "",
    description: fieldDescription("V1ObjectMeta", "creationTimestamp"),
    priority: 0,
  };
}

/** A column whose description is a field's documentation in the API schema. */
export function column(
  name: string,
  type: TableColumnDefinition["type"],
  description: string | [model: string, field: string],
  priority = 0,
): TableColumnDefinition {
  const text = typeof description === "string" ? description : fieldDescription(description[0], description[1]);
  return { name, type, format: "", description: text, priority };
}

/** The two columns of upstream's DefaultTableConvertor (resources without a printer: roles, CRDs …). */
export function defaultTableConvertor() {
  return {
    columns: [
      nameColumn(),
      {
        name: "Created At",
        type: "date" as const,
        format: "",
        description: fieldDescription("V1ObjectMeta", "creationTimestamp"),
        priority: 0,
      },
    ],
    cells(object: { metadata: ObjectMeta }) {
      return [object.metadata.name ?? "", formatRfc3339Utc(object.metadata.creationTimestamp)];
    },
  };
}

/** Go's `t.UTC().Format(time.RFC3339)`: whole seconds, `Z`. A zero time prints as 0001-01-01T00:00:00Z. */
export function formatRfc3339Utc(timestamp: string | undefined | null): string {
  if (!timestamp) return "0001-01-01T00:00:00Z";
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return timestamp;
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `list + N more...` as printers.go's listWithMoreString and friends. */
export function joinWithMore(list: string[], count: number, max: number, separator = ","): string {
  const text = list.join(separator);
  return count > max ? `${text} + ${count - max} more...` : text;
}
