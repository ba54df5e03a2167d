/** The request header that marks the server's own warm-up requests (with the token of this start). */
export const WARM_UP_HEADER = "x-kubelab-warm-up";

/**
 * Renders the home page and the first lesson it links to, once, answered to nobody: Next's first
 * render of a page after a start instantiates the page's modules (the Markdown renderer,
 * highlight.js's languages, Prisma's query compiler), which cost the first learner after each start
 * about a second of server CPU on top of their own page, measured on the 2-core bench machine
 * (their prompt came 0.9–1.1 s later than the next learner's). The requests carry
 * {@link WARM_UP_HEADER} with `token`, which the server checks, so they are given no learner (no
 * row, no cookie, no cluster). Resolves with what was rendered and how long it took; a failure only
 * leaves the first learner's page cold.
 */
export async function warmUpPages(origin: string, token: string): Promise<{ paths: string[]; ms: number }> {
  const started = performance.now();
  const headers = { [WARM_UP_HEADER]: token };
  const paths = ["/"];
  const home = await fetch(new URL("/", origin), { headers });
  const lesson = /href="(\/lessons\/[^"?#]+)"/.exec(await home.text())?.[1];
  if (!home.ok) throw new Error(`GET / answered ${home.status}`);
  if (lesson) {
    paths.push(lesson);
    const page = await fetch(new URL(lesson, origin), { headers });
    await page.arrayBuffer();
    if (!page.ok) throw new Error(`GET ${lesson} answered ${page.status}`);
  }
  return { paths, ms: performance.now() - started };
}
