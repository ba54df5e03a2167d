import "server-only";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { clusterHost, dataDirectory } from "../../lib/clusters/clusterHost";
import { clusterUrl, ensureLearnerCluster, learnerHome } from "../../lib/clusters/learnerClusters";
import { prisma } from "../../lib/database/prisma";
import { currentCourse, lessonsFolder } from "../../lib/lessons/loadLessons";
import { routes } from "../../server/routes";
import type { ExerciseResult } from "../checks/index";
import { type GradedLesson, gradedLesson, type LocatedExercise } from "../format/gradedLesson";
import { GradingCluster } from "../run/GradingCluster";

/** A lesson of the served course with its exercises parsed (problems listed, the rest still served). */
export function findGradedLesson(lessonId: string): GradedLesson | undefined {
  const lesson = currentCourse().lessons.find((item) => item.id === lessonId);
  return lesson ? gradedLesson(lesson) : undefined;
}

/** Every served lesson with its grading parts. */
export function gradedCourse(): GradedLesson[] {
  return currentCourse().lessons.map((lesson) => gradedLesson(lesson));
}

/** Lesson and exercise by id, or which of them is unknown. */
export function findExercise(
  lessonId: string,
  exerciseId: string,
): { lesson: GradedLesson; exercise: LocatedExercise } | { missing: "lesson" | "exercise" } {
  const lesson = findGradedLesson(lessonId);
  if (!lesson) return { missing: "lesson" };
  const exercise = lesson.exercises.find((item) => item.id === exerciseId);
  return exercise ? { lesson, exercise } : { missing: "exercise" };
}

export function lessonFolderPath(): string {
  return lessonsFolder();
}

const CLIENTS = Symbol.for("kubelab.graderClients");
type Holder = { [CLIENTS]?: Map<string, { clusterId: string; token: string; cluster: GradingCluster }> };

/**
 * A grading client for the learner's own cluster, through its API at /clusters/<id>/ on this
 * server with a token of its own (label "grader"), kept per learner.
 */
export function learnerGradingCluster(learnerId: string): Promise<GradingCluster> {
  // A page's live stream and its Checks (and other tabs) ask at once: one client for them all, or
  // each would issue a "grader" token replacing the one before and all but the last would be refused.
  const holder = globalThis as Holder & { [MAKING]?: Map<string, Promise<GradingCluster>> };
  holder[MAKING] ??= new Map();
  const pending = holder[MAKING].get(learnerId);
  if (pending) return pending;
  const making = makeGradingCluster(learnerId).finally(() => holder[MAKING]?.delete(learnerId));
  holder[MAKING].set(learnerId, making);
  return making;
}

const MAKING = Symbol.for("kubelab.makingGraderClients");

async function makeGradingCluster(learnerId: string): Promise<GradingCluster> {
  const holder = globalThis as Holder;
  holder[CLIENTS] ??= new Map();
  const { clusterId } = await ensureLearnerCluster(learnerId);
  const cached = holder[CLIENTS].get(learnerId);
  const host = clusterHost();
  // Reset cluster replaces the cluster's tokens: a client holding the old one only gets Unauthorized.
  if (cached?.clusterId === clusterId && host.verifyToken(clusterId, cached.token)) return cached.cluster;
  const token = await host.issueToken(clusterId, "grader");
  // Where this process reaches its own server (PORT may be 0: a free port).
  const origin = routes().localOrigin();
  // File checks read what the learner's terminal sees: their home folder as /root, and the nodes'
  // own file systems (static Pod manifests, files written over ssh).
  const folder = dataDirectory();
  const home = folder ? learnerHome(folder, learnerId) : undefined;
  const cluster = new GradingCluster(host.kubeconfig(clusterId, token, clusterUrl(origin, clusterId)), {
    readHomeFile: home
      ? (file) => readFile(path.resolve(home, file.replace(/^(~|\/root)\//, "")), "utf8").catch(() => undefined)
      : undefined,
    readNodeFile: async (node, file) => (await host.acquire(clusterId)).nodeFiles.get(node)?.readFile(file),
  });
  holder[CLIENTS].set(learnerId, { clusterId, token, cluster });
  return cluster;
}

/** Stores a graded exercise as a submission with its per-check results; returns its id. */
export async function saveSubmission(
  learnerId: string,
  lessonId: string,
  result: ExerciseResult,
  source: "check" | "live" | "api",
  notes: string[] = [],
): Promise<number> {
  const row = await prisma().submission.create({
    data: {
      learnerId,
      lessonId,
      exerciseId: result.exerciseId,
      passed: result.status === "pass",
      status: result.status,
      score: result.score,
      maxScore: result.maxScore,
      source,
      notes: JSON.stringify(notes),
      results: {
        create: result.checks.map((check, position) => ({
          position,
          checkId: check.id,
          passed: check.status === "pass",
          status: check.status,
          description: check.description,
          points: check.points,
          maxPoints: check.maxPoints,
          message: check.message,
          expected: check.expected ?? null,
          found: check.found ?? null,
        })),
      },
    },
  });
  return row.id;
}

/** Marks a lesson started, or completed when every exercise of it has passed at least once. */
export async function updateProgress(learnerId: string, lesson: GradedLesson): Promise<"started" | "completed"> {
  const passed = await prisma().submission.findMany({
    where: { learnerId, lessonId: lesson.lesson.id, passed: true },
    select: { exerciseId: true },
    distinct: ["exerciseId"],
  });
  const done = new Set(passed.map((row) => row.exerciseId));
  const completed = lesson.exercises.length > 0 && lesson.exercises.every((exercise) => done.has(exercise.id));
  const status = completed ? "completed" : "started";
  await prisma().lessonProgress.upsert({
    where: { learnerId_lessonId: { learnerId, lessonId: lesson.lesson.id } },
    create: { learnerId, lessonId: lesson.lesson.id, status, completedAt: completed ? new Date() : null },
    update: completed ? { status, completedAt: new Date() } : {},
  });
  return status;
}

/** Exercise ids the learner has passed, and failed attempts per exercise, for one lesson. */
export async function exerciseProgress(learnerId: string, lessonId: string) {
  const rows = await prisma().submission.findMany({
    where: { learnerId, lessonId, source: { not: "live" } },
    select: { exerciseId: true, passed: true },
  });
  const passed = new Set<string>();
  const attempts = new Map<string, number>();
  for (const row of rows) {
    if (row.passed) passed.add(row.exerciseId);
    else attempts.set(row.exerciseId, (attempts.get(row.exerciseId) ?? 0) + 1);
  }
  return { passed, attempts };
}

/** True when the request carries the instructor token (Authorization: Bearer, or the instructor cookie). */
export function isInstructor(request: { headers: Headers }, cookieValue?: string): boolean {
  const expected = process.env.KUBELAB_INSTRUCTOR_TOKEN;
  if (!expected) return false;
  const header = request.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7).trim() : cookieValue;
  return given !== undefined && timingSafeEqualText(given, expected);
}

function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let index = 0; index < a.length; index++) diff |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return diff === 0;
}

/**
 * Keeps the lesson's starting state (JSON of grader/format/schema's StartingState) in the
 * LessonStartingState row the hosting code's Reset reads (lib/clusters/learnerClusters.ts).
 */
export async function syncStartingState(lesson: GradedLesson): Promise<void> {
  const lessonId = lesson.lesson.id;
  const state = lesson.startingState ? JSON.stringify(lesson.startingState) : undefined;
  const row = await prisma().lessonStartingState.findUnique({ where: { lessonId } });
  if (!state) {
    if (row) await prisma().lessonStartingState.delete({ where: { lessonId } });
    return;
  }
  if (row?.state === state) return;
  await prisma().lessonStartingState.upsert({ where: { lessonId }, create: { lessonId, state }, update: { state } });
}
