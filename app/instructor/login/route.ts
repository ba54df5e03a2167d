import { INSTRUCTOR_COOKIE } from "../../../grader/web/gradebook";

export const dynamic = "force-dynamic";

/** POST /instructor/login (form field `token`): sets the instructor cookie when the token matches KUBELAB_INSTRUCTOR_TOKEN. */
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData();
  const token = String(form.get("token") ?? "");
  const expected = process.env.KUBELAB_INSTRUCTOR_TOKEN;
  const ok = Boolean(expected) && token === expected;
  const headers = new Headers({ Location: ok ? "/instructor" : "/instructor?denied=1" });
  if (ok)
    headers.append(
      "Set-Cookie",
      `${INSTRUCTOR_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`,
    );
  return new Response(null, { status: 303, headers });
}
