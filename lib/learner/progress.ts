import "server-only";
import { prisma } from "../database/prisma";

/** Ids of the lessons a learner has completed. */
export async function completedLessonIds(learnerId: string): Promise<Set<string>> {
  const rows = await prisma().lessonProgress.findMany({
    where: { learnerId, status: "completed" },
    select: { lessonId: true },
  });
  return new Set(rows.map((row) => row.lessonId));
}
