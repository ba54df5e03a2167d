import "server-only";
import { currentLearnerId } from "../../lib/learner/currentLearner";
import type { GradedLesson, LocatedExercise } from "../format/gradedLesson";
import { findExercise, findGradedLesson } from "./learnerGrading";

/** A learner's request about one lesson, or the response that refuses it. */
export type LearnerLesson = { learnerId: string; lesson: GradedLesson } | { response: Response };
/** A learner's request about one exercise, or the response that refuses it. */
export type LearnerExercise =
  | { learnerId: string; lesson: GradedLesson; exercise: LocatedExercise }
  | { response: Response };

/**
 * The opening every learner route under /api/lessons/<lesson> shares: the lesson (404 JSON when
 * the course has no such lesson) and the learner the cookie names (401 JSON without one).
 */
export async function resolveLearnerLesson(params: Promise<{ id: string }> | { id: string }): Promise<LearnerLesson> {
  const { id } = await params;
  const found = findGradedLesson(id);
  return found ? withLearner({ lesson: found }) : notFound(`unknown lesson: ${id}`);
}

/** As resolveLearnerLesson, for /api/lessons/<lesson>/exercises/<exercise>: an unknown exercise is a 404 too. */
export async function resolveLearnerExercise(
  params: Promise<{ id: string; exercise: string }> | { id: string; exercise: string },
): Promise<LearnerExercise> {
  const { id, exercise: exerciseId } = await params;
  const found = findExercise(id, exerciseId);
  if ("missing" in found) return notFound(`unknown ${found.missing}: ${found.missing === "lesson" ? id : exerciseId}`);
  return withLearner(found);
}

async function withLearner<T extends object>(found: T): Promise<(T & { learnerId: string }) | { response: Response }> {
  const learnerId = await currentLearnerId();
  if (!learnerId)
    return { response: Response.json({ error: "no learner: open the lesson page first" }, { status: 401 }) };
  return { ...found, learnerId };
}

function notFound(error: string): { response: Response } {
  return { response: Response.json({ error }, { status: 404 }) };
}
