import { existsSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCourse } from "../lib/lessons/loadLessons";
import { ROOT, startTestServer, type TestServer } from "./support/testServer";

// Debian's Chromium, never a downloaded browser. CI (.ci/run) installs it; locally the tests are
// skipped with a notice when it is missing.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n  SKIPPING browser tests: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does).\n`);
}

/** The most first-load JavaScript (gzip, as sent) a lesson page may cost, besides the terminal's script. */
const LESSON_JS_BUDGET_BYTES = 200_000;
/** The most the terminal's script (xterm.js and terminal/client, served apart from Next's bundles) may cost. */
const TERMINAL_JS_BUDGET_BYTES = 100_000;

describe.skipIf(!hasChromium)("in Chromium", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic",
        ],
      }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("loads the home page, follows a lesson link and shows the lesson beside the terminal", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });

    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    const { lessons } = loadCourse(path.join(ROOT, "lessons"));
    await expect.poll(() => page.getByTestId("lesson-link").count()).toBe(lessons.length);
    expect(await page.getByTestId("course-module").first().locator("h2").textContent()).toBe(lessons[0]?.module);

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "kubelab_learner", httpOnly: true, sameSite: "Lax" });
    expect(await page.evaluate(() => document.cookie)).not.toContain("kubelab_learner");

    // The last lesson with a YAML example, to see highlighted code as well.
    const lesson = lessons.findLast((candidate) => candidate.body.includes("```yaml")) as (typeof lessons)[number];
    await page.getByRole("link", { name: lesson.title, exact: true }).click();
    await page.waitForURL(`${server.url}/lessons/${lesson.id}`);
    await expect.poll(() => page.title()).toBe(`${lesson.title} · Kubelab`);
    expect(await page.getByTestId("lesson").locator("h1").first().textContent()).toBeTruthy();
    const terminal = page.getByTestId("terminal");
    expect(await terminal.isVisible()).toBe(true);
    const [lessonBox, terminalBox] = await Promise.all([
      page.getByTestId("lesson").boundingBox(),
      terminal.boundingBox(),
    ]);
    expect(terminalBox?.x).toBeGreaterThan((lessonBox?.x ?? 0) + (lessonBox?.width ?? 0) - 1);
    expect(await page.locator("pre code .hljs-attr").count()).toBeGreaterThan(0);
    // A client-side navigation runs no inline script: the page loads the terminal's script itself.
    const prompt = () => page.locator('[data-testid="terminal"] .xterm-rows').textContent();
    await expect.poll(prompt, { timeout: 30_000 }).toContain("controlplane:~$");
    // And on to the next lesson, where the script is already loaded.
    await page.locator(".lesson-nav a").last().click();
    await expect.poll(() => page.title(), { timeout: 30_000 }).not.toBe(`${lesson.title} · Kubelab`);
    await expect.poll(prompt, { timeout: 30_000 }).toContain("controlplane:~$");
    expect(await page.locator('script[src^="/_kubelab/terminal-"]').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("loads a lesson page with less than 200 kB of first-load JavaScript, and its terminal with less than 100 kB", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const transferred = new Map<string, Promise<number>>();
    page.on("response", (response) => {
      if (response.request().resourceType() !== "script") return;
      transferred.set(
        new URL(response.url()).pathname,
        response
          .request()
          .sizes()
          .then((sizes) => sizes.responseBodySize),
      );
    });
    const navigation = await page.goto(`${server.url}/lessons/what-is-kubernetes`, { waitUntil: "load" });
    // First-load JavaScript is what the page's HTML asks for. The terminal's script (xterm.js,
    // /_kubelab/terminal-<hash>.js) has a budget of its own.
    const html = (await navigation?.text()) ?? "";
    // Modern browsers skip the noModule polyfills.
    const tags = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"[^>]*>/g)].filter(
      (match) => !/nomodule/i.test(match[0]),
    );
    const firstLoad = [...new Set(tags.map((match) => match[1] as string))];
    const sizes = await Promise.all(
      firstLoad.map((source) => transferred.get(new URL(source, server.url).pathname) ?? 0),
    );
    const isTerminal = (source: string) => source.startsWith("/_kubelab/terminal-");
    const total = sizes.reduce((sum, size, index) => sum + (isTerminal(firstLoad[index] as string) ? 0 : size), 0);
    const terminal = sizes.find((_, index) => isTerminal(firstLoad[index] as string)) ?? 0;
    console.log(
      `lesson page first-load JavaScript: ${firstLoad.length} scripts, ${(total / 1000).toFixed(1)} kB as sent, and the terminal's script ${(terminal / 1000).toFixed(1)} kB`,
    );
    expect(firstLoad.length).toBeGreaterThan(1);
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(total).toBeLessThan(LESSON_JS_BUDGET_BYTES);
    expect(terminal).toBeGreaterThan(0);
    expect(terminal).toBeLessThan(TERMINAL_JS_BUDGET_BYTES);
    await context.close();
  });

  it("shows a 404 page for an unknown lesson", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${server.url}/lessons/no-such-lesson`);
    expect(response?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toBe("Page not found");
    await page.close();
  });
});
