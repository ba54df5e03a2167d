/** The instructor sign-in form (the token is KUBELAB_INSTRUCTOR_TOKEN from the server's environment). */
export function SignIn({ denied }: { denied: boolean }) {
  const configured = Boolean(process.env.KUBELAB_INSTRUCTOR_TOKEN);
  return (
    <main className="home">
      <h1>Instructor</h1>
      {!configured && <p role="alert">Instructor pages are off: start Kubelab with KUBELAB_INSTRUCTOR_TOKEN set.</p>}
      {denied && <p role="alert">That token is not right.</p>}
      <form method="post" action="/instructor/login">
        <label>
          Instructor token <input type="password" name="token" data-testid="instructor-token" required />
        </label>{" "}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
