import "server-only";
import { randomUUID } from "node:crypto";
import { prisma } from "../database/prisma";
import { learnerIdFromCookieHeader } from "./learnerCookie";

// Ids known to have a Learner row, so that page requests do not each cost a database query.
// Bounded: when full it is simply cleared and refilled.
const KNOWN_LEARNERS_LIMIT = 10_000;
const knownLearners = new Set<string>();

function remember(learnerId: string): void {
  if (knownLearners.size >= KNOWN_LEARNERS_LIMIT) knownLearners.clear();
  knownLearners.add(learnerId);
}

/** Whether a Learner row with this id exists. */
export async function learnerExists(learnerId: string): Promise<boolean> {
  if (knownLearners.has(learnerId)) return true;
  const found = await prisma().learner.findUnique({ where: { id: learnerId }, select: { id: true } });
  if (found) remember(learnerId);
  return found !== null;
}

/**
 * The existing learner named by a `Cookie` header, or undefined. This is how the WebSocket upgrade
 * (which Next never sees) learns who is connecting.
 */
export async function learnerFromCookieHeader(header: string | undefined): Promise<string | undefined> {
  const learnerId = learnerIdFromCookieHeader(header);
  if (learnerId && (await learnerExists(learnerId))) return learnerId;
  return undefined;
}

/**
 * Makes sure the learner named by a `Cookie` header has a row, creating a new learner when the
 * header names none. A well-formed id without a row (the database was reset) gets its row back, so
 * the browser keeps its identity. Returns the id and whether the browser must be sent a cookie.
 */
export async function ensureLearner(header: string | undefined): Promise<{ learnerId: string; created: boolean }> {
  const fromCookie = learnerIdFromCookieHeader(header);
  if (fromCookie && (await learnerExists(fromCookie))) return { learnerId: fromCookie, created: false };
  if (fromCookie) {
    // Another request of the same browser may be giving the row back at the same time.
    await prisma().learner.upsert({ where: { id: fromCookie }, create: { id: fromCookie }, update: {} });
    remember(fromCookie);
    return { learnerId: fromCookie, created: false };
  }
  // A fresh random id cannot exist yet: a plain insert, which Prisma runs as one statement where an
  // upsert with nothing to update costs a read and a write in a transaction (about 1 ms less here).
  const learnerId = randomUUID();
  await prisma().learner.create({ data: { id: learnerId }, select: { id: true } });
  remember(learnerId);
  return { learnerId, created: true };
}
