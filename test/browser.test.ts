import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./support/testServer";

// Debian's Chromium, never a downloaded browser. CI (.ci/run) installs it; locally the tests are
// skipped with a notice when it is missing.
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n  SKIPPING browser tests: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does).\n`);
}

/** The most JavaScript (gzip, as sent) a lesson page may load before the terminal arrives. */
const LESSON_JS_BUDGET_BYTES = 200_000;

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
    await expect.poll(() => page.getByTestId("lesson-link").count()).toBe(3);
    expect(await page.getByTestId("course-module").first().locator("h2").textContent()).toBe("Getting started");

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "kubelab_learner", httpOnly: true, sameSite: "Lax" });
    expect(await page.evaluate(() => document.cookie)).not.toContain("kubelab_learner");

    await page.getByRole("link", { name: "Your first Pod" }).click();
    await page.waitForURL(`${server.url}/lessons/first-pod`);
    await expect.poll(() => page.title()).toBe("Your first Pod · Kubelab");
    expect(await page.locator("article h1").textContent()).toBe("Your first Pod");
    const terminal = page.getByTestId("terminal");
    expect(await terminal.isVisible()).toBe(true);
    const [lessonBox, terminalBox] = await Promise.all([
      page.getByTestId("lesson").boundingBox(),
      terminal.boundingBox(),
    ]);
    expect(terminalBox?.x).toBeGreaterThan((lessonBox?.x ?? 0) + (lessonBox?.width ?? 0) - 1);
    expect(await page.locator("pre code .hljs-attr").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("loads a lesson page with less than 200 kB of JavaScript", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const scripts: Promise<number>[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() !== "script") return;
      scripts.push(
        response
          .request()
          .sizes()
          .then((sizes) => sizes.responseBodySize),
      );
    });
    await page.goto(`${server.url}/lessons/what-is-kubernetes`, { waitUntil: "networkidle" });
    const sizes = await Promise.all(scripts);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    console.log(`lesson page JavaScript: ${sizes.length} scripts, ${(total / 1000).toFixed(1)} kB as transferred`);
    expect(sizes.length).toBeGreaterThan(0);
    expect(total).toBeLessThan(LESSON_JS_BUDGET_BYTES);
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
