import "server-only";
import { cookies } from "next/headers";
import { isLearnerId, LEARNER_COOKIE } from "./learnerCookie";

/**
 * The learner making the current request, for server components, route handlers and server
 * actions. The server gives every page request a learner before Next sees it (server/createServer.ts),
 * so this is undefined only for requests that bypassed it.
 */
export async function currentLearnerId(): Promise<string | undefined> {
  const value = (await cookies()).get(LEARNER_COOKIE)?.value;
  return value && isLearnerId(value) ? value : undefined;
}
