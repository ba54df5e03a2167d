import { openAssessment } from "../../../grader/web/assessment";
import { exerciseProgress, syncStartingState } from "../../../grader/web/learnerGrading";
import { currentLearnerId } from "../../../lib/learner/currentLearner";
import type { Lesson } from "../../../lib/lessons/Lesson";
import { AssessmentTimer } from "./AssessmentTimer";
import { CodeBlockButtons } from "./CodeBlockButtons";
import { Exercise } from "./Exercise";
import { lessonView } from "./lessonView";

/**
 * The lesson's prose with each ```exercise block replaced by its interactive exercise (checklist,
 * Check button, hints, solution). A broken exercise block shows its file:line problem in place.
 * What is the same for every learner (the parsed exercises, the rendered Markdown) is computed once
 * per lesson (lessonView.ts); only the learner's progress is read per request.
 */
export async function LessonWithExercises({ lesson }: { lesson: Lesson }) {
  const { graded, parts } = lessonView(lesson);
  // Reset (hosting) applies the starting state stored for the lesson; keep it current with the file.
  await syncStartingState(graded).catch(() => undefined);
  const learnerId = await currentLearnerId();
  const progress = learnerId ? await exerciseProgress(learnerId, lesson.id).catch(() => undefined) : undefined;
  // A timed lesson's clock starts the first time the learner opens it.
  const assessment = learnerId ? await openAssessment(learnerId, graded) : undefined;

  return (
    <>
      {assessment && <AssessmentTimer lessonId={lesson.id} initial={assessment} />}
      {parts.map((part) => {
        if (part.kind === "text")
          return (
            <div
              key={part.key}
              className="lesson-text"
              // biome-ignore lint/security/noDangerouslySetInnerHtml: markdown-it renders with raw HTML disabled, so everything from the lesson file arrives escaped.
              dangerouslySetInnerHTML={{ __html: part.html }}
            />
          );
        if (part.kind === "problem")
          return (
            <p key={part.key} className="lesson-problems" role="alert" data-testid="exercise-problem">
              This exercise could not be loaded: <code>{part.problem}</code>
            </p>
          );
        return (
          <Exercise
            key={part.key}
            lessonId={lesson.id}
            initiallyPassed={progress?.passed.has(part.exercise.id) ?? false}
            initialAttempts={progress?.attempts.get(part.exercise.id) ?? 0}
            exercise={part.exercise}
          />
        );
      })}
      <CodeBlockButtons />
    </>
  );
}
