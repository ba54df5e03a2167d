import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { loadCourse } from "../lib/lessons/loadLessons";
import { routeBundles } from "../server/bundleReport";
import { ROOT, startTestServer, type TestServer } from "./support/testServer";

const BROKEN_LESSON = "---\nid: broken-lesson\ntitle: Broken\nmodule: Broken\norder: [5\nsummary: s\n---\n";
const HOSTILE_LESSON = `---
id: hostile
title: Hostile
module: Zzz
order: 999
summary: Tries to inject markup.
---
<script>window.__injected = true</script>

<img src=x onerror="window.__injected = true">

[link](javascript:alert(1))
`;

const FIXTURE_LESSON = `---
id: fixture-lesson
title: Fixture lesson
module: Zzz
order: 1000
summary: A lesson the tests own.
---
# Fixture lesson

\`\`\`yaml
apiVersion: v1
kind: Pod
\`\`\`
`;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    "broken.md": BROKEN_LESSON,
    "hostile.md": HOSTILE_LESSON,
    "fixture.md": FIXTURE_LESSON,
  });
});

afterAll(async () => {
  if (server?.child.exitCode === null) await server.stop();
});

function learnerRows(): string[] {
  const database = new Database(server.databaseFile, { readonly: true });
  try {
    return (database.prepare("SELECT id FROM Learner").all() as { id: string }[]).map((row) => row.id);
  } finally {
    database.close();
  }
}

function learnerCookie(response: Response): string | undefined {
  return response.headers.getSetCookie().find((cookie) => cookie.startsWith("kubelab_learner="));
}

describe("the production build", () => {
  it("keeps the lesson page's first-load JavaScript under 200 kB (gzip)", () => {
    const lessonPage = routeBundles(ROOT).find((bundle) => bundle.route === "/lessons/[id]");
    expect(lessonPage).toBeDefined();
    console.log(`/lessons/[id] first-load JS: ${((lessonPage?.gzipBytes ?? 0) / 1000).toFixed(1)} kB gzip`);
    expect(lessonPage?.gzipBytes).toBeLessThan(200_000);
  });
});

describe("the server", () => {
  let cookie = "";

  it("renders the home page and the first lesson once at start, for nobody", async () => {
    const deadline = Date.now() + 60_000;
    while (!/warmed up \/ and \/lessons\/\S+ in \d+ ms/.test(server.output()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.output()).toMatch(/warmed up \/ and \/lessons\/\S+ in \d+ ms/);
    // No learner row (and so no cluster) for the server's own requests.
    expect(learnerRows()).toEqual([]);
    // The header alone, without this start's token, is a visitor like any other.
    const guessed = await fetch(`${server.url}/`, { headers: { "x-kubelab-warm-up": "guess" } });
    expect(learnerCookie(guessed)).toBeDefined();
    expect(learnerRows()).toHaveLength(1);
  });

  it("serves the home page, lists lessons by module in order, and names broken lesson files", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    // Every shipped lesson linked from the page, grouped by module (modules in the order of their
    // first lesson), each module's lessons in course order.
    const { lessons } = loadCourse(path.join(ROOT, "lessons"));
    const modules = [...new Set(lessons.map((lesson) => lesson.module))];
    const grouped = modules.flatMap((module) => lessons.filter((lesson) => lesson.module === module));
    const positions = grouped.map((lesson) => html.indexOf(`href="/lessons/${lesson.id}"`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).toContain(`<h2>${lessons[0]?.module}</h2>`);
    // The flow sequence opened on line 5 is found unclosed on line 6.
    expect(html).toContain("lessons/broken.md:6: invalid YAML in the front matter");
  });

  it("gives a new visitor an httpOnly, SameSite=Lax learner cookie backed by a Learner row", async () => {
    const before = learnerRows().length;
    const response = await fetch(`${server.url}/`);
    const setCookie = learnerCookie(response);
    expect(setCookie).toMatch(/^kubelab_learner=[0-9a-f-]{36}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    cookie = (setCookie as string).split(";")[0] as string;
    const learnerId = cookie.split("=")[1] as string;
    expect(learnerRows()).toContain(learnerId);
    expect(learnerRows()).toHaveLength(before + 1);

    const again = await fetch(`${server.url}/lessons/fixture-lesson`, { headers: { cookie } });
    expect(learnerCookie(again)).toBeUndefined();
    expect(learnerRows()).toHaveLength(before + 1);
  });

  it("does not create learners for build assets", async () => {
    const before = learnerRows().length;
    const response = await fetch(`${server.url}/_next/static/no-such-file.js`);
    expect(learnerCookie(response)).toBeUndefined();
    expect(learnerRows()).toHaveLength(before);
  });

  it("serves a lesson beside the terminal column, with highlighted code", async () => {
    const response = await fetch(`${server.url}/lessons/fixture-lesson`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Fixture lesson · Kubelab</title>");
    expect(html).toContain('data-testid="terminal"');
    expect(html).toContain('<span class="hljs-attr">apiVersion:</span>');
  });

  it("escapes raw HTML written in a lesson", async () => {
    const html = await (await fetch(`${server.url}/lessons/hostile`, { headers: { cookie } })).text();
    expect(html).toContain("&lt;script&gt;window.__injected = true&lt;/script&gt;");
    expect(html).not.toContain("<script>window.__injected");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain('href="javascript:');
  });

  it("answers an unknown lesson with a 404 page", async () => {
    const response = await fetch(`${server.url}/lessons/no-such-lesson`, { headers: { cookie } });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Page not found");
  });

  it("serves HTTP handlers mounted outside Next", async () => {
    const response = await fetch(`${server.url}/test/mounted/a/b?x=1`, { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ method: "POST", prefix: "/test/mounted", path: "/a/b" });
    expect(learnerCookie(response)).toBeUndefined();
  });

  it("upgrades WebSockets on mounted paths, telling the handler who the learner is", async () => {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/test/echo`, { headers: { cookie } });
    const messages: string[] = [];
    socket.on("message", (data) => messages.push(String(data)));
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    socket.send("ping");
    await expect.poll(() => messages.length).toBe(2);
    expect(JSON.parse(messages[0] as string)).toEqual({ learnerId: cookie.split("=")[1], path: "/test/echo" });
    expect(messages[1]).toBe("ping");
    socket.close();

    const anonymous = new WebSocket(`${server.url.replace("http", "ws")}/test/echo`);
    const greeting = await new Promise<string>((resolve) => anonymous.once("message", (data) => resolve(String(data))));
    expect(JSON.parse(greeting).learnerId).toBeNull();
    anonymous.close();
  });

  it("refuses WebSocket upgrades on paths nobody mounted", async () => {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/nowhere`);
    const status = await new Promise<number | undefined>((resolve) => {
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode));
      socket.once("error", () => resolve(undefined));
    });
    expect(status).toBe(404);
  });

  it("shuts down gracefully on SIGTERM: closes WebSockets, runs hooks, exits 0", async () => {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/test/echo`);
    await new Promise((resolve) => socket.once("message", resolve));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    const exit = await server.stop("SIGTERM");
    expect(await closed).toBe(1001);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain("SIGTERM received: shutting down");
    expect(server.output()).toContain("test shutdown hook ran");
    expect(server.output()).toContain("Kubelab stopped");
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });
});
