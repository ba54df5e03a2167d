import "server-only";

/**
 * The origin the browser used (`https://kubelab.example.com`), from the Host header and the
 * proxy's X-Forwarded-Proto/Host when behind an Ingress, so a downloaded kubeconfig points where
 * the learner can reach.
 */
export function requestOrigin(request: Request): string {
  const headers = request.headers;
  const forwardedHost = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  const forwardedProto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const host = forwardedHost || headers.get("host") || new URL(request.url).host;
  const protocol =
    forwardedProto === "https" || forwardedProto === "http"
      ? forwardedProto
      : new URL(request.url).protocol.replace(":", "");
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(host)) throw new Error("bad Host header");
  return `${protocol}://${host}`;
}

/** A JSON error response. */
export function jsonError(status: number, message: string): Response {
  return Response.json({ error: message }, { status, headers: { "Cache-Control": "no-store" } });
}
