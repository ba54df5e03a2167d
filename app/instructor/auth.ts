import "server-only";
import { cookies, headers } from "next/headers";
import { INSTRUCTOR_COOKIE } from "../../grader/web/gradebook";
import { isInstructor } from "../../grader/web/learnerGrading";

/** True when the page request carries the instructor cookie (or an Authorization: Bearer token). */
export async function instructorSignedIn(): Promise<boolean> {
  const cookie = (await cookies()).get(INSTRUCTOR_COOKIE)?.value;
  return isInstructor({ headers: await headers() }, cookie && decodeURIComponent(cookie));
}
