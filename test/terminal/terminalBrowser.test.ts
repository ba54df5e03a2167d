import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProductionServer, startProductionServer } from "../support/productionServer";

/**
 * The terminal in a real browser, on the production server as `npm start` runs it: open a lesson,
 * wait for the prompt, type `kubectl get nodes` and `kubectl run …` against the learner's own
 * cluster (hosted at /clusters/<id>/ on the same port), and read the answers from xterm's screen.
 */
const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) console.warn(`\n  SKIPPING terminal browser test: ${CHROMIUM} is missing.\n`);

describe.skipIf(!available)("terminal in Chromium", () => {
  let server: ProductionServer;
  let url = "";
  let browser: Browser;

  beforeAll(async () => {
    server = await startProductionServer({ name: "kubelab-terminal-browser" });
    url = server.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  // biome-ignore lint/performance/useDomNodeTextContent: xterm rows need the line breaks layout gives
  const screen = (page: Page) => page.locator('[data-testid="terminal"] .xterm-rows').innerText();

  it("opens a lesson with a prompt, runs kubectl get nodes and kubectl run", async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.getByTestId("lesson-link").first().getByRole("link").click();
    const terminal = page.getByTestId("terminal");
    await expect.poll(() => terminal.getAttribute("data-state"), { timeout: 30_000 }).toBe("ready");
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("controlplane:~$");
    await terminal.click();
    await page.keyboard.type("kubectl get nodes\n");
    await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/controlplane\s+Ready\s+control-plane/);
    await page.keyboard.type("kubectl run web --image=nginx\n");
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("pod/web created");
    await page.keyboard.type("kubectl wait --for=condition=Ready pod/web --timeout=60s\n");
    await expect.poll(() => screen(page), { timeout: 60_000 }).toContain("pod/web condition met");
    await page.close();
  }, 120_000);
});
