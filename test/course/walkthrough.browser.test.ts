import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/testServer";

/**
 * A new learner walking the course in Chromium, on the production server with their own hosted
 * cluster: open a lesson, press Reset cluster, run the prose's commands in the terminal (typed, and
 * with a block's Run button), read what the cluster prints, solve an exercise in the terminal and
 * watch Check turn it green. One server and one browser for every walk (about a minute in all).
 */
const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n  SKIPPING course walkthrough browser test: ${CHROMIUM} is missing (apt-get install -y chromium).\n`);
}

/** xterm's visible rows as text (the line breaks are the layout's, so read innerText). */
async function screen(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: xterm rows need the line breaks layout gives
  const text = await page.locator('[data-testid="terminal"] .xterm-rows').innerText();
  return text.replace(/\u00a0/g, " ");
}

/**
 * Clears the terminal, types a command (lines of a here-document included) and waits for the next
 * prompt of `host` (the node the command leaves the learner on); returns the screen.
 */
async function run(page: Page, command: string, host = "controlplane", timeout = 30_000): Promise<string> {
  await page.getByTestId("terminal").click();
  await page.keyboard.type("clear\n");
  await expect.poll(async () => (await screen(page)).trim(), { timeout }).toMatch(/^[a-z0-9]+:~\$$/);
  await page.keyboard.type(`${command}\n`);
  const prompt = new RegExp(`\\n\\s*${host}:~\\$$`);
  await expect.poll(async () => (await screen(page)).trimEnd(), { timeout }).toMatch(prompt);
  return screen(page);
}

/** Opens a lesson as the learner, resets the cluster to its starting state and waits for a prompt. */
async function openLesson(page: Page, baseUrl: string, lessonId: string): Promise<void> {
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${baseUrl}/lessons/${lessonId}`);
  await page.getByTestId("reset-cluster").click();
  const status = page.locator('[data-testid="cluster-actions"] [role="status"]');
  await status.waitFor({ timeout: 120_000 });
  expect(await status.textContent()).toBe("Your cluster was reset.");
  const terminal = page.getByTestId("terminal");
  await expect.poll(() => terminal.getAttribute("data-state"), { timeout: 60_000 }).toBe("ready");
  await expect.poll(() => screen(page), { timeout: 60_000 }).toContain("controlplane:~$");
}

function exercise(page: Page, id: string): Locator {
  return page.locator(`[data-testid="exercise"][data-exercise="${id}"]`);
}

/** The live checklist's statuses (re-graded by the server whenever the cluster changes). */
function statuses(section: Locator): Promise<string[]> {
  return section
    .getByTestId("checklist-item")
    .evaluateAll((items) => items.map((item) => item.getAttribute("data-status") ?? ""));
}

/**
 * Presses Check again every few seconds, as a learner whose Pods are still starting would, until
 * every item is green; returns the last statuses (the Check button judges the cluster as it is).
 */
async function checkUntilGreen(section: Locator, timeout = 90_000): Promise<string[]> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const result = await check(section);
    // The checklist's marks also follow the live grader, so they can turn green before the Check
    // answer does (pods still starting when it was graded): wait for the answer's full marks too.
    const score = /^([\d.]+)\/([\d.]+) points/.exec((await section.getByTestId("check-result").textContent()) ?? "");
    const fullMarks = score !== null && score[1] === score[2];
    if ((result.every((status) => status === "pass") && fullMarks) || Date.now() > deadline) return result;
    await section.page().waitForTimeout(3000);
  }
}

/** Presses Check, waits for the grader's answer, and returns the checklist's statuses. */
async function check(section: Locator): Promise<string[]> {
  const page = section.page();
  const id = await section.getAttribute("data-exercise");
  await Promise.all([
    page.waitForResponse((response) => response.url().endsWith(`/exercises/${id}/check`), { timeout: 90_000 }),
    section.getByTestId("check").click(),
  ]);
  await expect.poll(() => section.getByTestId("check").isDisabled(), { timeout: 10_000 }).toBe(false);
  return statuses(section);
}

describe.skipIf(!hasChromium)("the course, walked by a new learner in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let dataDirectory: string;
  const environment = { KUBELAB_SPEED: process.env.KUBELAB_SPEED, KUBELAB_DATA_DIR: process.env.KUBELAB_DATA_DIR };

  beforeAll(async () => {
    // The server inherits this worker's environment: fast clusters, learners' data in a temporary folder.
    dataDirectory = mkdtempSync(path.join(tmpdir(), "kubelab-walkthrough-"));
    process.env.KUBELAB_SPEED = "fast";
    process.env.KUBELAB_DATA_DIR = dataDirectory;
    [server, browser] = await Promise.all([
      startTestServer(),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const [name, value] of Object.entries(environment)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  it("lesson 1: the prose's commands show the starting Deployment, and an exercise solved in the terminal turns green", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await openLesson(page, server.url, "what-is-kubernetes");

    // The Run button of the "desired state in action" block types it into the terminal.
    const block = page.locator(".lesson-text pre", { hasText: "kubectl get deployment shop" });
    await page.getByTestId("terminal").click();
    await page.keyboard.type("clear\n");
    await block.getByTestId("run-code").click();
    await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/shop\s+2\/2\s+2\s+2/);

    const section = exercise(page, "declare-desired-state");
    expect(await check(section)).toEqual(["fail", "fail", "fail", "fail"]);
    expect(await run(page, "kubectl create deployment hello --image=nginx:1.27 --replicas=3")).toContain(
      "deployment.apps/hello created",
    );
    expect(await checkUntilGreen(section)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(await section.getByTestId("check-result").textContent()).toContain("10/10");
    await page.close();
  }, 180_000);

  it("lesson 2: the mirror Pod's owner and source, etcd's keys and node01's kube-proxy rules print as the text says; the rules exercise turns green", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await openLesson(page, server.url, "cluster-architecture");

    const owner = await run(
      page,
      `kubectl get pod kube-scheduler-controlplane -n kube-system -o jsonpath="{.metadata.ownerReferences[0].kind}{'\\n'}{.metadata.annotations['kubernetes\\.io/config\\.source']}{'\\n'}"`,
    );
    expect(owner).toMatch(/\nNode\nfile\n/);
    expect(await run(page, `kubectl get pod mystery -o jsonpath='{.spec.nodeName}{"\\n"}'`)).toMatch(/\nnode02\n/);

    // etcdctl on controlplane, with kubeadm's etcd certificates, as the text shows.
    const keys = await run(
      page,
      "etcdctl --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/server.crt --key /etc/kubernetes/pki/etcd/server.key get /registry/pods/default --prefix --keys-only",
    );
    expect(keys).toContain("/registry/pods/default/mystery");

    // kube-proxy's rules on node01, saved there over ssh: the exercise turns green.
    const section = exercise(page, "kube-proxy-rules");
    expect(await check(section)).toEqual(["fail", "fail"]);
    await run(page, "ssh node01", "node01");
    await run(page, "iptables-save | grep default/mystery > /root/mystery-rules.txt", "node01");
    expect(await run(page, "cat /root/mystery-rules.txt", "node01")).toContain('"default/mystery cluster IP"');
    expect(await run(page, "exit")).toContain("Connection to node01 closed.");
    expect(await checkUntilGreen(section)).toEqual(["pass", "pass"]);
    await page.close();
  }, 180_000);

  it("lesson 6: a manifest written on node01 over ssh becomes a static Pod with a mirror, and the exercise turns green", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await openLesson(page, server.url, "init-sidecars-static-pods");
    const section = exercise(page, "static-pod");
    expect(await check(section)).toEqual(["fail", "fail", "fail", "fail"]);
    await run(page, "ssh node01", "node01");
    await run(
      page,
      [
        "cat > /etc/kubernetes/manifests/static-web.yaml <<'YAML'",
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        "  name: static-web",
        "spec:",
        "  containers:",
        "    - name: web",
        "      image: nginx:1.27",
        "YAML",
      ].join("\n"),
      "node01",
    );
    await run(page, "exit");
    await expect
      .poll(async () => run(page, "kubectl get pods"), { timeout: 60_000 })
      .toMatch(/static-web-node01\s+1\/1\s+Running/);
    expect(await checkUntilGreen(section)).toEqual(["pass", "pass", "pass", "pass"]);
    await page.close();
  }, 180_000);

  it("lesson 12: a ServiceAccount's token acts as it in the terminal; least privilege turns green through access checks", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await openLesson(page, server.url, "rbac");
    const section = exercise(page, "least-privilege");
    expect(await check(section)).toEqual(["fail", "fail", "fail", "fail"]);
    // A token the cluster issues authenticates on the learner's own (hosted) cluster.
    await run(page, "TOKEN=$(kubectl create token ci-bot -n team-a)");
    expect(await run(page, 'kubectl --token="$TOKEN" auth whoami')).toMatch(
      /Username\s+system:serviceaccount:team-a:ci-bot/,
    );
    // Long lines wrap on screen: compare without the layout's whitespace.
    const denied = (await run(page, 'kubectl --token="$TOKEN" get pods -n default')).replace(/\s+/g, "");
    expect(denied).toContain('User"system:serviceaccount:team-a:ci-bot"cannotlistresource"pods"');
    await run(
      page,
      "kubectl create role deployer -n team-a --verb=get,list,watch,update,patch --resource=deployments.apps",
    );
    await run(
      page,
      "kubectl create rolebinding ci-bot-deployer -n team-a --role=deployer --serviceaccount=team-a:ci-bot",
    );
    await run(page, "kubectl delete rolebinding ci-bot-admin -n team-a");
    expect(
      await run(page, "kubectl auth can-i delete deployments -n team-a --as=system:serviceaccount:team-a:ci-bot"),
    ).toMatch(/\nno\n/);
    expect(await checkUntilGreen(section)).toEqual(["pass", "pass", "pass", "pass"]);
    await page.close();
  }, 180_000);

  it("lesson 20: the assessment shows its countdown and a per-task score when the learner finishes", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await openLesson(page, server.url, "practice-assessment");
    await expect
      .poll(() => page.getByTestId("assessment-timer").textContent(), { timeout: 30_000 })
      .toMatch(/^(40:00|39:\d\d) left$/);

    await run(page, "kubectl create namespace exam");
    await run(page, "kubectl create deployment frontend -n exam --image=nginx:1.27 --replicas=3");
    const task = exercise(page, "task-namespace-deployment");
    expect(await checkUntilGreen(task)).toEqual(["pass", "pass", "pass"]);

    await page.getByTestId("finish-assessment").click();
    await expect.poll(() => page.getByTestId("assessment-score").textContent(), { timeout: 30_000 }).toBe("15/100");
    expect(await page.getByTestId("assessment-task").count()).toBe(6);
    await page.close();
  }, 180_000);
});
