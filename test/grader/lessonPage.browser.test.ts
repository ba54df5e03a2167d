import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProductionServer, startProductionServer } from "../support/productionServer";

/**
 * The lesson page and the instructor pages in Chromium, on the production server with every mount
 * of `npm start` (learners' clusters and terminals; see test/support/productionServer.ts): the live checklist turning green after a
 * command typed in the terminal, Check, hints, the solution, Run buttons, Reset, the kubeconfig
 * download, the course map's progress, a timed assessment, and the gradebook. One server and
 * one learner for the whole file: these tests are the expensive kind.
 */
const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "instructor-secret-for-tests";
const available = existsSync(CHROMIUM);
if (!available) console.warn(`\n  SKIPPING lesson page browser tests: ${CHROMIUM} is missing.\n`);

const gradingLesson = `---
id: browser-grading
title: Browser grading
module: Browser tests
order: 9001
summary: A lesson the browser test works through.
startingState:
  manifests: |
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: start-marker}
    data: {from: starting-state}
---

# Browser grading

Make a namespace with the Run button:

\`\`\`bash
kubectl create namespace run-button
\`\`\`

A block to fill in first gets no Run button:

\`\`\`bash
kubectl describe pod <your pod>
\`\`\`

\`\`\`exercise
id: run-web
title: Run a web Pod
points: 10
instructions: Run a Pod named \`web\` from the \`nginx\` image.
checks:
  - type: exists
    kind: Pod
    name: web
    description: a Pod named web exists
  - type: field
    kind: Pod
    name: web
    path: spec.containers[0].image
    regex: "^nginx"
    description: it runs nginx
hints:
  - kubectl run makes a Pod.
  - kubectl run web --image=nginx
solution: kubectl run web --image=nginx
solutionAfterAttempts: 1
\`\`\`
`;

const timedLesson = (id: string, minutes: number) => `---
id: ${id}
title: Timed ${id}
module: Browser tests
order: 9002
summary: A timed assessment.
timeLimitMinutes: ${minutes}
---

# Timed

\`\`\`exercise
id: have-web
title: Have a Pod named web
points: 10
checks:
  - {type: exists, kind: Pod, name: web}
solution: kubectl run web --image=nginx
\`\`\`

\`\`\`exercise
id: have-db
title: Have a Pod named db
points: 20
checks:
  - {type: exists, kind: Pod, name: db}
solution: kubectl run db --image=redis
\`\`\`
`;

/** More exercises than the six connections a browser opens per host: each needs the page's one live stream. */
const manyExercises = `---
id: browser-many
title: Many exercises
module: Browser tests
order: 9004
summary: Seven exercises on one page.
---

${Array.from(
  { length: 7 },
  (_, index) => `\`\`\`exercise
id: many-${index + 1}
title: ConfigMap number ${index + 1}
checks:
  - {type: exists, kind: ConfigMap, name: many-${index + 1}}
solution: kubectl create configmap many-${index + 1}
\`\`\`
`,
).join("\n")}`;

const brokenLesson = `---
id: browser-broken
title: Broken
module: Browser tests
order: 9003
summary: An exercise with an unknown check type.
---

\`\`\`exercise
id: broken
title: Broken
checks:
  - type: teleport
solution: kubectl get pods
\`\`\`
`;

describe.skipIf(!available)("lesson page and gradebook in Chromium", () => {
  let server: ProductionServer | undefined;
  let url = "";
  let browser: Browser;
  let learner: BrowserContext;
  let page: Page;
  /** Every live-checklist stream the learner's page opened, by path. */
  const liveStreams: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startProductionServer({
        name: "kubelab-lesson-browser",
        extraLessons: {
          "browser-grading.md": gradingLesson,
          "browser-timed.md": timedLesson("browser-timed", 0.1),
          "browser-finish.md": timedLesson("browser-finish", 30),
          "browser-broken.md": brokenLesson,
          "browser-many.md": manyExercises,
        },
        env: { KUBELAB_INSTRUCTOR_TOKEN: TOKEN },
      }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] }),
    ]);
    url = server.url;
    learner = await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 768 } });
    page = await learner.newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    page.on("request", (request) => {
      if (/\/live(\?|$)/.test(new URL(request.url()).pathname)) liveStreams.push(new URL(request.url()).pathname);
    });
  }, 300_000);

  afterAll(async () => {
    // What the server said, for reading after a failure (the work folder is removed).
    if (server) writeFileSync(path.join(tmpdir(), "kubelab-lesson-browser-server.log"), server.output());
    await browser?.close();
    await server?.stop();
  });

  // biome-ignore lint/performance/useDomNodeTextContent: xterm rows need the line breaks layout gives
  const screen = () => page.locator('[data-testid="terminal"] .xterm-rows').innerText();
  const exercise = () => page.locator('[data-testid="exercise"][data-exercise="run-web"]');
  const statuses = () =>
    exercise()
      .getByTestId("checklist-item")
      .evaluateAll((items) => items.map((item) => item.getAttribute("data-status")));
  const lessonProgress = (id: string) =>
    page.locator(`[data-testid="lesson-link"]:has(a[href="/lessons/${id}"]) [data-testid="lesson-progress"]`);

  it("shows each lesson's exercises and points on the course map", async () => {
    await page.goto(`${url}/`);
    expect(await lessonProgress("browser-grading").textContent()).toBe("0/1 exercises · 0/10 points");
    expect(await lessonProgress("browser-finish").textContent()).toBe("0/2 exercises · 0/30 points");
  });

  it("grades with Check, reveals hints one at a time and offers the solution after a failed attempt", async () => {
    await page.goto(`${url}/lessons/browser-grading`);
    const terminal = page.getByTestId("terminal");
    await expect.poll(() => terminal.getAttribute("data-state"), { timeout: 60_000 }).toBe("ready");
    await expect.poll(() => screen(), { timeout: 30_000 }).toContain("controlplane:~$");
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(["fail", "fail"]);

    expect(await exercise().getByTestId("show-solution").count()).toBe(0);
    await exercise().getByTestId("check").click();
    const result = exercise().getByTestId("check-result");
    await expect.poll(() => result.getAttribute("data-status"), { timeout: 30_000 }).toBe("fail");
    expect(await result.textContent()).toMatch(/0\/10 points\. No Pod named web in namespace default/);

    const hint = exercise().getByTestId("hint");
    expect(await hint.textContent()).toBe("Show hint 1 of 2");
    await hint.click();
    expect(await exercise().getByTestId("hint-text").allTextContents()).toEqual(["kubectl run makes a Pod."]);
    await hint.click();
    expect(await exercise().getByTestId("hint-text").count()).toBe(2);
    expect(await hint.isDisabled()).toBe(true);

    await exercise().getByTestId("show-solution").click();
    expect(await exercise().getByTestId("solution").textContent()).toBe("kubectl run web --image=nginx");
  }, 120_000);

  it("turns the live checklist green after the learner types the command in the terminal", async () => {
    await page.getByTestId("terminal").click();
    await page.keyboard.type("kubectl run web --image=nginx\n");
    await expect.poll(() => screen(), { timeout: 30_000 }).toContain("pod/web created");
    // Nobody pressed Check: the checklist follows the cluster.
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(["pass", "pass"]);
    await expect.poll(() => exercise().locator(".badge").count(), { timeout: 10_000 }).toBe(1);

    await exercise().getByTestId("check").click();
    const result = exercise().getByTestId("check-result");
    await expect.poll(() => result.getAttribute("data-status"), { timeout: 30_000 }).toBe("pass");
    expect(await result.textContent()).toBe("All checks pass: 10/10 points.");
  }, 120_000);

  it("runs a shell code block in the terminal with Run; blocks with placeholders only copy", async () => {
    const runs = page.locator(".lesson-text").getByTestId("run-code");
    expect(await runs.count()).toBe(1);
    expect(await page.locator(".lesson-text").getByTestId("copy-code").count()).toBe(2);
    await runs.click();
    await expect.poll(() => screen(), { timeout: 30_000 }).toContain("namespace/run-button created");
  }, 60_000);

  it("downloads a kubeconfig for the learner's own cluster", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("download-kubeconfig").click(),
    ]);
    const file = await download.path();
    const kubeconfig = readFileSync(file, "utf8");
    expect(download.suggestedFilename()).toBe("kubelab-kubeconfig.yaml");
    expect(kubeconfig).toMatch(/kind: Config/);
    expect(kubeconfig).toMatch(/server: https?:\/\/[^\s]+\/clusters\/[^\s/]+/);
    expect(kubeconfig).toMatch(/token: \S+/);
  });

  it("shows the progress on the course map", async () => {
    await page.goto(`${url}/`);
    expect(await lessonProgress("browser-grading").textContent()).toBe("1/1 exercises · 10/10 points");
  });

  it("resets the cluster to the lesson's starting state", async () => {
    await page.goto(`${url}/lessons/browser-grading`);
    await expect.poll(() => page.getByTestId("terminal").getAttribute("data-state"), { timeout: 60_000 }).toBe("ready");
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(["pass", "pass"]);
    // Not loaded yet: the page offers the lesson's prepared cluster, and stops offering it once loaded.
    expect(await page.getByTestId("starting-state-banner").count()).toBe(1);
    await page.getByTestId("load-starting-state").click();
    const status = page.getByTestId("cluster-actions").getByRole("status");
    await expect.poll(() => status.getAttribute("data-status"), { timeout: 60_000 }).toBe("done");
    expect(await page.getByTestId("starting-state-banner").count()).toBe(0);
    // The live checklist follows the new cluster without a Check: its watches started again on it.
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(["fail", "fail"]);
    await exercise().getByTestId("check").click();
    const result = exercise().getByTestId("check-result");
    await expect.poll(() => result.getAttribute("data-status"), { timeout: 30_000 }).toBe("fail");
    await page.getByTestId("terminal").click();
    await page.keyboard.type("kubectl get configmap start-marker -o jsonpath='{.data.from}'; echo; kubectl get pods\n");
    await expect
      .poll(() => screen(), { timeout: 30_000 })
      .toMatch(/starting-state\s[\s\S]*No resources found in default namespace\./);
    // Changes to the new cluster reach the checklist, both ways (the timed lessons below need no Pod web).
    await page.keyboard.type("kubectl run web --image=nginx\n");
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(["pass", "pass"]);
    await page.keyboard.type("kubectl delete pod web --grace-period=0 --force\n");
    await expect.poll(statuses, { timeout: 30_000 }).toEqual(["fail", "fail"]);
    // The server remembers which lesson the cluster was prepared for.
    await page.reload();
    expect(await page.getByTestId("starting-state-banner").count()).toBe(0);
  }, 120_000);

  it("times an assessment from the first open and shows the final score when the time is up", async () => {
    await page.goto(`${url}/lessons/browser-timed`);
    expect(await page.getByTestId("assessment-timer").textContent()).toMatch(/^0:0[0-6] left$/);
    const result = page.getByTestId("assessment-result");
    await expect.poll(() => result.count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId("assessment-score").textContent()).toBe("0/30");
    expect(await result.textContent()).toContain("time limit is up");
    // The deadline is the server's: a reload still shows the final score, and checks no longer count.
    await page.reload();
    expect(await page.getByTestId("assessment-score").textContent()).toBe("0/30");
    await page.locator('[data-exercise="have-web"]').getByTestId("check").click();
    const check = page.locator('[data-exercise="have-web"]').getByTestId("check-result");
    await expect.poll(() => check.getAttribute("data-status"), { timeout: 30_000 }).toBe("error");
    expect(await check.textContent()).toMatch(/time is up/);
  }, 60_000);

  it("finishes an assessment early with a score per task", async () => {
    await page.goto(`${url}/lessons/browser-finish`);
    const timer = page.getByTestId("assessment-timer");
    expect(await timer.textContent()).toMatch(/^(30:00|29:[0-5]\d) left$/);
    await page.getByTestId("terminal").click();
    await expect.poll(() => screen(), { timeout: 60_000 }).toContain("controlplane:~$");
    await page.keyboard.type("kubectl run web --image=nginx\n");
    const web = page.locator('[data-exercise="have-web"]');
    await expect
      .poll(() => web.getByTestId("checklist-item").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("pass");
    await web.getByTestId("check").click();
    await expect
      .poll(() => web.getByTestId("check-result").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("pass");
    await page.getByTestId("finish-assessment").click();
    await expect.poll(() => page.getByTestId("assessment-result").count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId("assessment-score").textContent()).toBe("10/30");
    const tasks = await page
      .getByTestId("assessment-task")
      .evaluateAll((rows) =>
        rows.map((row) => [row.getAttribute("data-status"), row.textContent?.replace(/\s+/g, " ").trim()]),
      );
    expect(tasks).toEqual([
      ["pass", "✔ Have a Pod named web10/10"],
      ["fail", "✘ Have a Pod named db0/20"],
    ]);
  }, 120_000);

  it("lets the instructor sign in, read the gradebook and a submission, export CSV and see lesson validation", async () => {
    const instructor = await browser.newContext();
    const desk = await instructor.newPage();
    await desk.goto(`${url}/instructor`);
    await desk.getByTestId("instructor-token").fill("wrong");
    await desk.getByRole("button", { name: "Sign in" }).click();
    await desk.waitForURL(/denied=1/);
    expect(await desk.getByText("That token is not right.").getAttribute("role")).toBe("alert");
    await desk.getByTestId("instructor-token").fill(TOKEN);
    await desk.getByRole("button", { name: "Sign in" }).click();
    await desk.waitForURL(`${url}/instructor`);

    const rows = desk.getByTestId("gradebook-row");
    expect(await rows.count()).toBe(1);
    const learnerId = (await rows.first().locator("th").textContent()) ?? "";
    const cell = rows.first().locator('[data-exercise="browser-grading/run-web"]');
    expect(await cell.textContent()).toBe("10/10");
    expect(await rows.first().locator('[data-exercise="browser-finish/have-web"]').textContent()).toBe("10/10");

    const validation = desk.getByTestId("lesson-validation");
    expect(await validation.locator('[data-lesson="browser-grading"]').getAttribute("data-status")).toBe("valid");
    const broken = validation.locator('[data-lesson="browser-broken"]');
    expect(await broken.getAttribute("data-status")).toBe("invalid");
    expect(await broken.textContent()).toMatch(/browser-broken\.md:\d+: exercise .*unknown check type/);

    const csv = await desk.request.get(`${url}/instructor/gradebook.csv`);
    expect(csv.status()).toBe(200);
    const [header, ...lines] = (await csv.text()).trimEnd().split("\n");
    const columns = header?.split(",") ?? [];
    const values = lines[0]?.split(",") ?? [];
    expect(values[0]).toBe(learnerId);
    expect(values[columns.indexOf("browser-grading/run-web")]).toBe("10");
    expect(values.at(-1)).toBe("20");
    expect((await instructor.request.get(`${url}/instructor/gradebook.csv`)).status()).toBe(200);
    expect((await learner.request.get(`${url}/instructor/gradebook.csv`)).status()).not.toBe(200);

    await cell.getByRole("link").click();
    await desk.waitForURL(/\/instructor\/submissions\/\d+$/);
    const checks = desk.getByTestId("submission-checks").locator("tbody tr");
    expect(await checks.evaluateAll((items) => items.map((item) => item.getAttribute("data-status")))).toEqual([
      "fail",
      "fail",
    ]);
    expect(await checks.first().textContent()).toMatch(/No Pod named web/);
    await instructor.close();
  }, 60_000);

  it("streams every checklist of a seven-exercise page over one connection, leaving Check its own", async () => {
    liveStreams.length = 0;
    await page.goto(`${url}/lessons/browser-many`);
    const many = (n: number) => page.locator(`[data-testid="exercise"][data-exercise="many-${n}"]`);
    const item = (n: number) => many(n).getByTestId("checklist-item");
    // Every exercise gets its live result, all over the page's one stream.
    await expect
      .poll(
        () =>
          page.getByTestId("checklist-item").evaluateAll((items) => items.map((i) => i.getAttribute("data-status"))),
        {
          timeout: 30_000,
        },
      )
      .toEqual(Array(7).fill("fail"));
    expect(liveStreams).toEqual(["/api/lessons/browser-many/live"]);
    // Check still gets a connection while the stream is open.
    await many(7).getByTestId("check").click();
    await expect
      .poll(() => many(7).getByTestId("check-result").getAttribute("data-status"), { timeout: 15_000 })
      .toBe("fail");
    // A command updates the exercise it concerns, the seventh, and leaves the others as they were.
    await page.getByTestId("terminal").click();
    await expect.poll(() => screen(), { timeout: 60_000 }).toContain("controlplane:~$");
    await page.keyboard.type("kubectl create configmap many-7\n");
    await expect.poll(() => item(7).getAttribute("data-status"), { timeout: 30_000 }).toBe("pass");
    expect(await item(6).getAttribute("data-status")).toBe("fail");
    expect(liveStreams).toEqual(["/api/lessons/browser-many/live"]);
  }, 120_000);
});
