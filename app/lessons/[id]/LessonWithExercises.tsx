import { describeCheck } from "../../../grader/checks/index";
import { checkId, exerciseBlocks, gradedLesson } from "../../../grader/format/gradedLesson";
import { openAssessment } from "../../../grader/web/assessment";
import { exerciseProgress, syncStartingState } from "../../../grader/web/learnerGrading";
import { currentLearnerId } from "../../../lib/learner/currentLearner";
import type { Lesson } from "../../../lib/lessons/Lesson";
import { formatLessonProblem } from "../../../lib/lessons/Lesson";
import { renderMarkdown } from "../../../lib/lessons/renderMarkdown";
import { AssessmentTimer } from "./AssessmentTimer";
import { CodeBlockButtons } from "./CodeBlockButtons";
import { Exercise } from "./Exercise";

/**
 * The lesson's prose with each ```exercise block replaced by its interactive exercise (checklist,
 * Check button, hints, solution). A broken exercise block shows its file:line problem in place.
 */
export async function LessonWithExercises({ lesson }: { lesson: Lesson }) {
  const graded = gradedLesson(lesson);
  // Reset (hosting) applies the starting state stored for the lesson; keep it current with the file.
  await syncStartingState(graded).catch(() => undefined);
  const learnerId = await currentLearnerId();
  const progress = learnerId ? await exerciseProgress(learnerId, lesson.id).catch(() => undefined) : undefined;
  // A timed lesson's clock starts the first time the learner opens it.
  const assessment = learnerId ? await openAssessment(learnerId, graded) : undefined;
  const lines = lesson.body.split(/\r?\n/);
  const parts: { markdown?: string; line?: number; key: string }[] = [];
  let from = 0;
  for (const block of exerciseBlocks(lesson.body, lesson.bodyLine)) {
    const start = block.line - lesson.bodyLine;
    parts.push({ markdown: lines.slice(from, start).join("\n"), key: `text-${from}` });
    parts.push({ line: block.line, key: `exercise-${block.line}` });
    from = block.end - lesson.bodyLine + 1;
  }
  parts.push({ markdown: lines.slice(from).join("\n"), key: `text-${from}` });

  return (
    <>
      {assessment && <AssessmentTimer lessonId={lesson.id} initial={assessment} />}
      {parts.map((part) => {
        if (part.markdown !== undefined) {
          if (part.markdown.trim() === "") return null;
          return (
            <div
              key={part.key}
              className="lesson-text"
              // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown-it renders with raw HTML disabled, so everything from the lesson file arrives escaped.
              dangerouslySetInnerHTML={{ __html: renderMarkdown(part.markdown) }}
            />
          );
        }
        const exercise = graded.exercises.find((item) => item.line === part.line);
        if (!exercise) {
          const problems = graded.problems.filter((problem) => problem.line >= (part.line ?? 0));
          return (
            <p key={`broken-${part.line}`} className="lesson-problems" role="alert" data-testid="exercise-problem">
              This exercise could not be loaded:{" "}
              <code>{problems[0] ? formatLessonProblem(problems[0]) : `line ${part.line}`}</code>
            </p>
          );
        }
        return (
          <Exercise
            key={exercise.id}
            lessonId={lesson.id}
            initiallyPassed={progress?.passed.has(exercise.id) ?? false}
            initialAttempts={progress?.attempts.get(exercise.id) ?? 0}
            exercise={{
              id: exercise.id,
              title: exercise.title,
              instructionsHtml: renderMarkdown(exercise.instructions ?? ""),
              checks: exercise.checks.map((check, position) => ({
                id: checkId(check, position),
                description: describeCheck(check),
              })),
              hints: exercise.hints,
              solution: exercise.solution,
              solutionAfterAttempts: exercise.solutionAfterAttempts,
            }}
          />
        );
      })}
      <CodeBlockButtons />
    </>
  );
}
