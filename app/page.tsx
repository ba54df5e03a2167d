import Link from "next/link";
import { courseProgress, type LessonScore } from "../grader/web/courseProgress";
import { gradedCourse } from "../grader/web/learnerGrading";
import { currentLearnerId } from "../lib/learner/currentLearner";
import { completedLessonIds } from "../lib/learner/progress";
import { formatLessonProblem } from "../lib/lessons/Lesson";
import { currentCourse, groupByModule } from "../lib/lessons/loadLessons";

// Lessons are read at request time (an edited lesson shows on reload) and progress is per learner.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const course = currentCourse();
  const learnerId = await currentLearnerId();
  const completed = learnerId ? await completedLessonIds(learnerId) : new Set<string>();
  const modules = groupByModule(course.lessons);
  const scores = learnerId ? await courseProgress(learnerId, gradedCourse()) : new Map<string, LessonScore>();

  return (
    <main className="home">
      <section className="intro">
        <h1>Learn Kubernetes with a cluster of your own</h1>
        <p>
          Each lesson sits beside a terminal connected to your own Kubernetes cluster. Read, type the commands, and
          check your work as you go.
        </p>
        <p className="progress-summary" data-testid="progress-summary">
          {completed.size} of {course.lessons.length} lessons completed
        </p>
      </section>

      {course.problems.length > 0 && (
        <section className="lesson-problems" data-testid="lesson-problems" role="alert">
          <h2>Some lesson files could not be loaded</h2>
          <p>The other lessons are unaffected. Fix these files and reload:</p>
          <ul>
            {course.problems.map((problem) => (
              <li key={`${problem.file}:${problem.line}`}>
                <code>{formatLessonProblem(problem)}</code>
              </li>
            ))}
          </ul>
        </section>
      )}

      {modules.length === 0 && <p>No lessons yet: add Markdown files under lessons/.</p>}

      {modules.map((module) => (
        <section key={module.name} className="course-module" data-testid="course-module">
          <h2>{module.name}</h2>
          <ol className="lesson-list">
            {module.lessons.map((lesson) => (
              <li key={lesson.id} data-testid="lesson-link">
                <Link href={`/lessons/${lesson.id}`}>{lesson.title}</Link>
                {completed.has(lesson.id) && <span className="badge">completed</span>}
                <LessonScoreLine score={scores.get(lesson.id)} />
                <p>{lesson.summary}</p>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </main>
  );
}

/** "2/3 exercises · 15/30 points" for a lesson with exercises. */
function LessonScoreLine({ score }: { score?: LessonScore }) {
  if (!score || score.total === 0) return null;
  return (
    <span
      className="lesson-progress"
      data-testid="lesson-progress"
      data-done={score.done}
      data-total={score.total}
      data-points={score.points}
    >
      {score.done}/{score.total} exercises · {score.points}/{score.maxPoints} points
    </span>
  );
}
