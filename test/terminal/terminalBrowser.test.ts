import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HYDRATION_GATE_TIMEOUT_MS } from "../../terminal/client/earlyConnect";
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

  it("opens the terminal's socket from the page's inline script before hydration, tells the shell xterm's size, and reattaches it on reload", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const sockets: { url: string; sent: string[] }[] = [];
    page.on("websocket", (socket) => {
      const entry = { url: socket.url(), sent: [] as string[] };
      if (new URL(entry.url).pathname.startsWith("/terminal/")) sockets.push(entry);
      socket.on("framesent", (frame) => entry.sent.push(String(frame.payload)));
    });
    const terminal = page.getByTestId("terminal");
    /** `reattached`: the shell is running (a reload), so its prompt comes well within the gate's timeout. */
    const open = async (reattached: boolean) => {
      await expect.poll(() => terminal.getAttribute("data-state"), { timeout: 30_000 }).toBe("ready");
      await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("controlplane:~$");
      // The socket xterm uses is the one the inline script opened while the page loaded.
      expect(await terminal.getAttribute("data-early-socket")).toBe("adopted");
      const readMarks = () =>
        page.evaluate(() =>
          Object.fromEntries(performance.getEntriesByType("mark").map((mark) => [mark.name, mark.startTime])),
        );
      // React hydrates the page after the prompt is on screen (the hydration gate, earlyConnect.ts).
      await expect
        .poll(async () => (await readMarks())["kubelab:terminal-column-hydrated"], { timeout: 30_000 })
        .toBeGreaterThan(0);
      const marks = await readMarks();
      expect(marks["kubelab:terminal-socket-opened-early"]).toBeLessThan(marks["kubelab:terminal-column-hydrated"]);
      expect(marks["kubelab:terminal-socket-adopted"]).toBeGreaterThan(0);
      // Next hydrated only once the gate opened; a running shell's screen opens it, not the timeout.
      expect(marks["kubelab:terminal-column-hydrated"]).toBeGreaterThan(marks["kubelab:hydration-gate-opened"]);
      if (reattached) {
        expect(marks["kubelab:hydration-gate-opened"]).toBeGreaterThanOrEqual(
          marks["kubelab:terminal-first-output-parsed"],
        );
        expect(marks["kubelab:hydration-gate-opened"] - marks["kubelab:terminal-socket-opened-early"]).toBeLessThan(
          HYDRATION_GATE_TIMEOUT_MS,
        );
      }
    };
    await page.goto(`${url}/lessons/what-is-kubernetes`);
    await open(false);
    expect(sockets).toHaveLength(1);
    const [first] = sockets as [(typeof sockets)[number]];
    // The early socket asks for no size (the shell starts at 80×24): xterm's fitted size follows at once.
    expect(new URL(first.url).search).toBe("");
    const told = first.sent
      .map((text) => JSON.parse(text) as { type: string; cols?: number; rows?: number })
      .filter((message) => message.type === "resize");
    const fitted = {
      cols: Number(await terminal.getAttribute("data-cols")),
      rows: Number(await terminal.getAttribute("data-rows")),
    };
    expect(told.length).toBeGreaterThan(0);
    expect({ cols: told.at(-1)?.cols, rows: told.at(-1)?.rows }).toEqual(fitted);
    await terminal.click();
    await page.keyboard.type("echo early-$((6*7)) size-$COLUMNS-$LINES\n");
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain(`early-42 size-${fitted.cols}-${fitted.rows}`);
    // A reload reattaches the same shell through the new page's early socket: the screen is replayed.
    await page.reload();
    await open(true);
    expect(sockets).toHaveLength(2);
    expect(new URL(sockets[1]?.url ?? "").pathname).toBe(new URL(first.url).pathname);
    await expect.poll(() => screen(page), { timeout: 30_000 }).toContain("early-42");
    await page.close();
  }, 120_000);

  it("hydrates the page at the learner's first press when the prompt has not come, and handles the click", async () => {
    const page = await browser.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    // The test holds the terminal's socket: it opens, and no prompt ever comes.
    await page.routeWebSocket(/\/terminal\//, () => {});
    await page.addInitScript(
      `document.addEventListener("pointerdown", function () { performance.mark("test:press"); }, { capture: true, once: true });`,
    );
    // Loaded: Next's scripts have run and wait at the gate.
    await page.goto(`${url}/lessons/what-is-kubernetes`, { waitUntil: "load" });
    const button = page.getByTestId("reset-cluster");
    await button.click();
    // React hydrated and ran the button's handler (the reset itself may take a while).
    await expect
      .poll(
        async () =>
          (await button.textContent()) === "Resetting…" ||
          (await page.locator('[data-testid="cluster-actions"] [role="status"]').count()) > 0,
        { timeout: 10_000 },
      )
      .toBe(true);
    const marks = await page.evaluate(() =>
      Object.fromEntries(performance.getEntriesByType("mark").map((mark) => [mark.name, mark.startTime])),
    );
    expect(marks["kubelab:terminal-first-output"]).toBeUndefined();
    // The press opened the gate (unless the page took longer than the gate's timeout to load).
    if ((marks["test:press"] ?? 0) < HYDRATION_GATE_TIMEOUT_MS - 250) {
      expect(marks["kubelab:hydration-gate-opened"]).toBeGreaterThanOrEqual(marks["test:press"] ?? 0);
      expect(marks["kubelab:hydration-gate-opened"] - marks["test:press"]).toBeLessThan(50);
    }
    await page.close();
  }, 120_000);
});
