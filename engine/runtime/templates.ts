const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** Formats `ms` the way a given program stamps its log lines. */
export function formatLogTime(format: string, ms: number): string {
  const d = new Date(ms);
  const Y = d.getUTCFullYear();
  const M = pad(d.getUTCMonth() + 1);
  const D = pad(d.getUTCDate());
  const h = pad(d.getUTCHours());
  const m = pad(d.getUTCMinutes());
  const s = pad(d.getUTCSeconds());
  const milli = pad(d.getUTCMilliseconds(), 3);
  const micro = `${milli}${pad((ms * 1000) % 1000, 3)}`.slice(0, 6);
  switch (format) {
    case "nginx":
    case "go":
      return `${Y}/${M}/${D} ${h}:${m}:${s}`;
    case "apache":
      return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${D} ${h}:${m}:${s}.${micro} ${Y}`;
    case "redis":
      return `${D} ${months[d.getUTCMonth()]} ${Y} ${h}:${m}:${s}.${milli}`;
    case "postgres":
      return `${Y}-${M}-${D} ${h}:${m}:${s}.${milli} UTC`;
    case "mysql":
    case "etcd":
      return `${Y}-${M}-${D}T${h}:${m}:${s}.${micro}Z`;
    case "mysql-entrypoint":
      return `${Y}-${M}-${D} ${h}:${m}:${s}+00:00`;
    case "klog":
      return `I${M}${D} ${h}:${m}:${s}.${micro}`;
    case "clf":
      return `${D}/${months[d.getUTCMonth()]}/${Y}:${h}:${m}:${s} +0000`;
    default:
      return d.toISOString();
  }
}

/** Fills `{name}` and `{time:format}` placeholders in a catalog log line. */
export function expandTemplate(template: string, values: Record<string, string>, nowMs: number): string {
  return template.replace(/\{([a-zA-Z-]+)(?::([a-z-]+))?\}/g, (whole, name: string, format?: string) => {
    if (name === "time") return formatLogTime(format ?? "iso", nowMs);
    if (name === "epoch") return String(Math.floor(nowMs / 1000));
    return values[name] ?? whole;
  });
}
