/**
 * `/healthz`, `/livez` and `/readyz` as the real apiserver answers them: `ok`, per-check paths
 * (`/readyz/ping`), and the `?verbose` listing that ends in `readyz check passed`.
 */

const LIVE_CHECKS = [
  "ping",
  "log",
  "etcd",
  "poststarthook/start-apiserver-admission-initializer",
  "poststarthook/generic-apiserver-start-informers",
  "poststarthook/start-apiextensions-controllers",
  "poststarthook/crd-informer-synced",
  "poststarthook/bootstrap-controller",
  "poststarthook/scheduling/bootstrap-system-priority-classes",
];
const READY_CHECKS = ["ping", "log", "etcd", "etcd-readiness", "informer-sync", ...LIVE_CHECKS.slice(3), "shutdown"];

export function healthResponse(
  path: string,
  query: URLSearchParams,
  ready: boolean,
): { status: number; body: string } | undefined {
  const match = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(path);
  if (!match) return undefined;
  const endpoint = match[1];
  const checks =
    endpoint === "readyz"
      ? READY_CHECKS
      : endpoint === "livez"
        ? LIVE_CHECKS
        : READY_CHECKS.filter((check) => check !== "shutdown" && check !== "etcd-readiness");
  const failing = (check: string) => endpoint !== "livez" && !ready && check.startsWith("poststarthook/");
  const single = match[2];
  if (single) {
    if (!checks.includes(single)) return undefined;
    return failing(single)
      ? { status: 500, body: `internal server error: not finished\n` }
      : { status: 200, body: "ok" };
  }
  const excluded = new Set(query.getAll("exclude"));
  const active = checks.filter((check) => !excluded.has(check));
  const failed = active.filter(failing);
  if (query.has("verbose") || failed.length > 0) {
    const lines = active.map((check) => (failing(check) ? `[-]${check} failed: reason withheld` : `[+]${check} ok`));
    const verdict = failed.length > 0 ? `${endpoint} check failed` : `${endpoint} check passed`;
    return { status: failed.length > 0 ? 500 : 200, body: `${lines.join("\n")}\n${verdict}\n` };
  }
  return { status: 200, body: "ok" };
}
