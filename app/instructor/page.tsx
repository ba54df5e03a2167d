import Link from "next/link";
import { gradebook } from "../../grader/web/gradebook";
import { gradedCourse } from "../../grader/web/learnerGrading";
import { formatLessonProblem } from "../../lib/lessons/Lesson";
import { currentCourse } from "../../lib/lessons/loadLessons";
import { instructorSignedIn } from "./auth";
import { SignIn } from "./SignIn";

export const dynamic = "force-dynamic";

/** /instructor: the gradebook (learners × exercises), CSV export, and every lesson's validation status. */
export default async function InstructorPage({ searchParams }: { searchParams: Promise<{ denied?: string }> }) {
  if (!(await instructorSignedIn())) return <SignIn denied={(await searchParams).denied === "1"} />;
  const book = await gradebook();
  const course = currentCourse();
  const lessons = gradedCourse();
  return (
    <main className="home">
      <h1>Instructor</h1>
      <section>
        <h2>Gradebook</h2>
        <p>
          Best score per exercise; a cell links to the latest submission.{" "}
          <a href="/instructor/gradebook.csv" data-testid="gradebook-csv">
            Download CSV
          </a>
        </p>
        {book.rows.length === 0 ? (
          <p>No submissions yet.</p>
        ) : (
          <div style={{ overflowX: "auto" }}>
            <table className="gradebook" data-testid="gradebook">
              <thead>
                <tr>
                  <th scope="col">Learner</th>
                  {book.columns.map((column) => (
                    <th scope="col" key={`${column.lessonId}/${column.exerciseId}`} title={column.title}>
                      {column.lessonId}/{column.exerciseId}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {book.rows.map((row) => (
                  <tr key={row.learnerId} data-testid="gradebook-row">
                    <th scope="row">{row.learnerId}</th>
                    {book.columns.map((column) => {
                      const cell = row.cells.get(`${column.lessonId}/${column.exerciseId}`);
                      return (
                        <td
                          key={`${column.lessonId}/${column.exerciseId}`}
                          data-testid="gradebook-cell"
                          data-exercise={`${column.lessonId}/${column.exerciseId}`}
                        >
                          {cell ? (
                            <Link href={`/instructor/submissions/${cell.latestId}`}>
                              {cell.best}/{cell.max}
                            </Link>
                          ) : (
                            "—"
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section>
        <h2>Lessons</h2>
        <ul data-testid="lesson-validation">
          {course.problems.map((problem) => (
            <li key={`${problem.file}:${problem.line}`} data-status="invalid">
              <code>{formatLessonProblem(problem)}</code>
            </li>
          ))}
          {lessons.map((lesson) => (
            <li
              key={lesson.lesson.id}
              data-lesson={lesson.lesson.id}
              data-status={lesson.problems.length ? "invalid" : "valid"}
            >
              {lesson.lesson.id}: {lesson.exercises.length} exercises,{" "}
              {lesson.problems.length === 0
                ? "valid"
                : lesson.problems.map((problem) => formatLessonProblem(problem)).join("; ")}
            </li>
          ))}
        </ul>
        <p>
          Run <code>npx kubelab lessons check</code> to prove every exercise against a fresh cluster.
        </p>
      </section>
    </main>
  );
}
