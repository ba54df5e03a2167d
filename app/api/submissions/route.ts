import { findGradedLesson, isInstructor, lessonFolderPath, saveSubmission } from "../../../grader/web/learnerGrading";
import { submissionGrader } from "../../../grader/web/submissionGrader";
import { prisma } from "../../../lib/database/prisma";

export const dynamic = "force-dynamic";

const MAX_BYTES = 1024 * 1024;

function error(status: number, message: string): Response {
  return Response.json({ error: message }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * POST /api/submissions (Authorization: Bearer $KUBELAB_INSTRUCTOR_TOKEN): grades a submission on a
 * fresh cluster with the lesson's starting state and stores the result.
 *
 * Body, JSON: `{ "lesson": "pods", "exercise": "run-a-pod", "learner": "student-42",
 * "files": [{ "name": "pod.yaml", "content": "…" }, { "name": "steps.sh", "content": "…" }] }`,
 * or raw manifests/script text with `?lesson=…&exercise=…&learner=…` (Content-Type text/yaml or
 * text/x-shellscript). Over 1 MiB: 413. Unknown lesson or exercise: 404. Invalid YAML: graded 0
 * with the parse error as feedback.
 */
export async function POST(request: Request): Promise<Response> {
  if (!process.env.KUBELAB_INSTRUCTOR_TOKEN)
    return error(403, "submissions are disabled: set KUBELAB_INSTRUCTOR_TOKEN");
  if (!isInstructor(request)) return error(401, "an instructor token is required (Authorization: Bearer TOKEN)");
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BYTES) return error(413, "a submission may be at most 1 MiB");
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BYTES) return error(413, "a submission may be at most 1 MiB");
  const text = new TextDecoder().decode(bytes);
  const url = new URL(request.url);
  let lessonId = url.searchParams.get("lesson") ?? undefined;
  let exerciseId = url.searchParams.get("exercise") ?? undefined;
  let learner = url.searchParams.get("learner") ?? undefined;
  let files: { name: string; content: string }[];
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    let body: { lesson?: unknown; exercise?: unknown; learner?: unknown; files?: unknown };
    try {
      body = JSON.parse(text);
    } catch (parseError) {
      return error(400, `the body is not JSON: ${(parseError as Error).message}`);
    }
    lessonId = typeof body.lesson === "string" ? body.lesson : lessonId;
    exerciseId = typeof body.exercise === "string" ? body.exercise : exerciseId;
    learner = typeof body.learner === "string" ? body.learner : learner;
    if (
      !Array.isArray(body.files) ||
      body.files.some((file) => typeof file?.name !== "string" || typeof file?.content !== "string")
    ) {
      return error(400, 'files must be a list of { "name": string, "content": string }');
    }
    files = body.files as { name: string; content: string }[];
  } else {
    const script = (request.headers.get("content-type") ?? "").includes("shellscript");
    files = [{ name: script ? "submission.sh" : "submission.yaml", content: text }];
  }
  if (!lessonId) return error(400, "name the lesson: lesson in the body or ?lesson=");
  const lesson = findGradedLesson(lessonId);
  if (!lesson) return error(404, `unknown lesson: ${lessonId}`);
  if (exerciseId && !lesson.exercises.some((exercise) => exercise.id === exerciseId)) {
    return error(
      404,
      `unknown exercise: ${exerciseId} (lesson ${lessonId} has ${lesson.exercises.map((item) => item.id).join(", ")})`,
    );
  }
  const report = await submissionGrader()(lesson, exerciseId, files, lessonFolderPath());
  // Submitters from an LMS or CI are recorded as learners "lms-<name>" so the gradebook shows them.
  const learnerId = `lms-${(learner ?? "anonymous").replace(/[^A-Za-z0-9_.@-]/g, "_").slice(0, 100)}`;
  await prisma().learner.upsert({
    where: { id: learnerId },
    create: { id: learnerId },
    update: { lastSeenAt: new Date() },
  });
  const ids: number[] = [];
  for (const exercise of report.exercises)
    ids.push(await saveSubmission(learnerId, lesson.lesson.id, exercise, "api", report.notes));
  return Response.json(
    { id: ids[0], ids, learner: learnerId, ...report },
    { status: 201, headers: { "Cache-Control": "no-store", Location: `/api/submissions/${ids[0]}` } },
  );
}
