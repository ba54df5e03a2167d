/** The cookie that carries the anonymous learner id. */
export const LEARNER_COOKIE = "kubelab_learner";

/** Browsers cap cookie lifetimes at 400 days; ask for all of it. */
export const LEARNER_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

const LEARNER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether `value` has the shape of a learner id (a random v4 UUID, lower case). */
export function isLearnerId(value: string): boolean {
  return LEARNER_ID_PATTERN.test(value);
}

/**
 * The learner id in a `Cookie` request header, or undefined when there is none or it is malformed.
 * Says nothing about whether the learner exists; see lib/learner/learners.ts for that.
 */
export function learnerIdFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const separator = pair.indexOf("=");
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() !== LEARNER_COOKIE) continue;
    const value = pair.slice(separator + 1).trim();
    if (isLearnerId(value)) return value;
  }
  return undefined;
}

/** The `Set-Cookie` header value that gives a browser its learner id. */
export function learnerSetCookieHeader(learnerId: string, options: { secure: boolean }): string {
  const attributes = [
    `${LEARNER_COOKIE}=${learnerId}`,
    "Path=/",
    `Max-Age=${LEARNER_COOKIE_MAX_AGE_SECONDS}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (options.secure) attributes.push("Secure");
  return attributes.join("; ");
}

/** `header` with the learner cookie added (or replacing a malformed one), as if the browser had sent it. */
export function withLearnerCookie(header: string | undefined, learnerId: string): string {
  const others = (header ?? "")
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "" && !pair.startsWith(`${LEARNER_COOKIE}=`));
  return [...others, `${LEARNER_COOKIE}=${learnerId}`].join("; ");
}
