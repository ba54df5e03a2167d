import { cookies } from "next/headers";
import { gradebookCsv, INSTRUCTOR_COOKIE } from "../../../grader/web/gradebook";
import { isInstructor } from "../../../grader/web/learnerGrading";

export const dynamic = "force-dynamic";

/** GET /instructor/gradebook.csv: the gradebook (instructor cookie or Authorization: Bearer token). */
export async function GET(request: Request): Promise<Response> {
  const cookie = (await cookies()).get(INSTRUCTOR_COOKIE)?.value;
  if (!isInstructor(request, cookie && decodeURIComponent(cookie)))
    return new Response("instructor token required\n", { status: 401 });
  return new Response(await gradebookCsv(), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="kubelab-gradebook.csv"',
      "Cache-Control": "no-store",
    },
  });
}
