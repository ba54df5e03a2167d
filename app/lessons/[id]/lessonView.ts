import { describeCheck } from "../../../grader/checks/index";
import { checkId, exerciseBlocks, type GradedLesson, gradedLesson } from "../../../grader/format/gradedLesson";
import type { Lesson } from "../../../lib/lessons/Lesson";
import { formatLessonProblem } from "../../../lib/lessons/Lesson";
import { renderMarkdown } from "../../../lib/lessons/renderMarkdown";
import type { ExerciseView } from "./Exercise";

/** One piece of a lesson's page, in order: rendered prose, an exercise, or a broken exercise block's problem. */
export type LessonPart =
  | { kind: "text"; key: string; html: string }
  | { kind: "exercise"; key: string; exercise: ExerciseView }
  | { kind: "problem"; key: string; line: number; problem: string };

/** What the lesson page shows of a lesson whatever the learner: its grading and its rendered parts. */
export interface LessonView {
  graded: GradedLesson;
  parts: LessonPart[];
}

// Per Lesson object: currentCourse() keeps the same objects until a lesson file changes, so a page
// request does not parse the exercises' YAML, validate them and render the Markdown again (10-30 ms
// of CPU per request on a busy machine); an edited lesson is a new object, and the old view goes
// with the old object.
const views = new WeakMap<Lesson, LessonView>();

/** The lesson's {@link LessonView}, computed once per lesson (as loaded). */
export function lessonView(lesson: Lesson): LessonView {
  let view = views.get(lesson);
  if (!view) {
    view = buildLessonView(lesson);
    views.set(lesson, view);
  }
  return view;
}

/** The lesson's prose with each ```exercise block replaced by its exercise (or, when broken, its file:line problem). */
export function buildLessonView(lesson: Lesson): LessonView {
  const graded = gradedLesson(lesson);
  const lines = lesson.body.split(/\r?\n/);
  const parts: LessonPart[] = [];
  const text = (from: number, to?: number) => {
    const markdown = lines.slice(from, to).join("\n");
    if (markdown.trim() !== "") parts.push({ kind: "text", key: `text-${from}`, html: renderMarkdown(markdown) });
  };
  let from = 0;
  for (const block of exerciseBlocks(lesson.body, lesson.bodyLine)) {
    text(from, block.line - lesson.bodyLine);
    const exercise = graded.exercises.find((item) => item.line === block.line);
    if (exercise) {
      parts.push({
        kind: "exercise",
        key: exercise.id,
        exercise: {
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
        },
      });
    } else {
      const problem = graded.problems.find((item) => item.line >= block.line);
      parts.push({
        kind: "problem",
        key: `broken-${block.line}`,
        line: block.line,
        problem: problem ? formatLessonProblem(problem) : `line ${block.line}`,
      });
    }
    from = block.end - lesson.bodyLine + 1;
  }
  text(from);
  return { graded, parts };
}
