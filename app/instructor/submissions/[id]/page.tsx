import { notFound } from "next/navigation";
import { prisma } from "../../../../lib/database/prisma";
import { instructorSignedIn } from "../../auth";
import { SignIn } from "../../SignIn";

export const dynamic = "force-dynamic";

/** One submission's per-check results. */
export default async function SubmissionPage({ params }: { params: Promise<{ id: string }> }) {
  if (!(await instructorSignedIn())) return <SignIn denied={false} />;
  const id = Number((await params).id);
  const row = Number.isInteger(id)
    ? await prisma().submission.findUnique({ where: { id }, include: { results: { orderBy: { position: "asc" } } } })
    : null;
  if (!row) notFound();
  const notes = JSON.parse(row.notes) as string[];
  return (
    <main className="home">
      <h1>
        Submission {row.id}: {row.lessonId}/{row.exerciseId}
      </h1>
      <p>
        {row.learnerId}, {row.createdAt.toISOString()} ({row.source}): {row.score}/{row.maxScore}, {row.status}
      </p>
      <table className="gradebook" data-testid="submission-checks">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Points</th>
            <th scope="col">Feedback</th>
          </tr>
        </thead>
        <tbody>
          {row.results.map((result) => (
            <tr key={result.id} data-status={result.status}>
              <td>{result.description || result.checkId}</td>
              <td>{result.status}</td>
              <td>
                {result.points}/{result.maxPoints}
              </td>
              <td style={{ textAlign: "left" }}>{result.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {notes.length > 0 && <pre>{notes.join("\n")}</pre>}
    </main>
  );
}
