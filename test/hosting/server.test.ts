import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ProductionServer, startProductionServer } from "../support/productionServer";

/**
 * The production server as `npm start` runs it (clusters, terminals, the app) with the TLS listener
 * for learners' own kubectl (KUBELAB_TLS_PORT): the real kubectl against a downloaded kubeconfig,
 * and isolation between two learners — tokens, guessed cluster ids, and terminal cookies.
 */
const KUBECTL = "/usr/bin/kubectl";
const run = promisify(execFile);
const available = existsSync(KUBECTL);
if (!available) console.warn(`\n  SKIPPING hosted server test: ${KUBECTL} is missing.\n`);

interface Learner {
  cookie: string;
  id: string;
}

describe.skipIf(!available)("hosted clusters on the production server", () => {
  let server: ProductionServer | undefined;
  let work = "";
  let url = "";
  let tlsPort = 0;

  beforeAll(async () => {
    server = await startProductionServer({
      name: "kubelab-hosted-server",
      env: { KUBELAB_TLS_PORT: "0" },
      readyWhen: /clusters over TLS at https:\/\/<host>:(\d+)\//,
      timeoutMs: 420_000,
    });
    ({ url, work } = server);
    tlsPort = Number(/clusters over TLS at https:\/\/<host>:(\d+)\//.exec(server.output())?.[1]);
  }, 430_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** A new browser: the home page gives it a learner cookie; its cluster is made on first use. */
  async function newLearner(): Promise<Learner> {
    const response = await fetch(`${url}/`);
    await response.text();
    const cookie = /kubelab_learner=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1];
    expect(cookie).toBeDefined();
    const mine = await fetch(`${url}/api/clusters/mine`, { headers: { Cookie: `kubelab_learner=${cookie}` } });
    const info = (await mine.json()) as { id: string; server: string };
    expect(info.server).toBe(`https://127.0.0.1:${tlsPort}/clusters/${info.id}`);
    return { cookie: cookie as string, id: info.id };
  }

  async function downloadKubeconfig(learner: Learner, name = `kubeconfig-${learner.id}`): Promise<string> {
    const response = await fetch(`${url}/api/clusters/mine/kubeconfig`, {
      headers: { Cookie: `kubelab_learner=${learner.cookie}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const file = path.join(work, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  const kubectl = (kubeconfig: string, ...args: string[]) =>
    run(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { timeout: 30_000 });

  it("serves the real kubectl over TLS with the downloaded kubeconfig (self-signed CA embedded)", async () => {
    const learner = await newLearner();
    const kubeconfig = await downloadKubeconfig(learner);
    expect(readFileSync(kubeconfig, "utf8")).toMatch(/certificate-authority-data: \S{100,}/);
    // A fresh cluster: its kubelets register their nodes within moments.
    let nodes = "";
    for (let attempt = 0; attempt < 60 && nodes.split("\n").length < 3; attempt++) {
      nodes = (await kubectl(kubeconfig, "get", "nodes", "-o", "name")).stdout.trim();
      if (nodes.split("\n").length < 3) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(nodes.split("\n")).toEqual(["node/controlplane", "node/node01", "node/node02"]);
    await kubectl(kubeconfig, "create", "configmap", "from-my-laptop", "--from-literal=a=1");
    const got = await kubectl(kubeconfig, "get", "configmap", "from-my-laptop", "-o", "jsonpath={.data.a}");
    expect(got.stdout).toBe("1");
    // The TLS port serves clusters only.
    const other = await run("curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", `https://127.0.0.1:${tlsPort}/`]);
    expect(other.stdout).toBe("404");
  }, 60_000);

  it("a learner's token opens only their own cluster; other and guessed ids are refused alike", async () => {
    const a = await newLearner();
    const b = await newLearner();
    const kubeconfigA = await downloadKubeconfig(a);
    expect((await kubectl(kubeconfigA, "get", "namespaces", "-o", "name")).stdout).toContain("namespace/default");
    // A's kubeconfig, pointed at B's cluster: same server, same token, other id.
    const aimedAtB = path.join(work, "aimed-at-b");
    writeFileSync(aimedAtB, readFileSync(kubeconfigA, "utf8").replace(`/clusters/${a.id}`, `/clusters/${b.id}`));
    await expect(kubectl(aimedAtB, "get", "namespaces")).rejects.toThrow(/You must be logged in to the server/);
    const token = /token: (\S+)/.exec(readFileSync(kubeconfigA, "utf8"))?.[1] as string;
    // The terminal's token, written to A's shell home, is A's too and opens nothing else.
    const bodies = new Set<string>();
    for (const id of [b.id, "a".repeat(26), `${b.id.slice(0, 25)}x`, "not-an-id", "../..", ""]) {
      const response = await run("curl", [
        "-sk",
        "--path-as-is",
        "-H",
        `Authorization: Bearer ${token}`,
        "-w",
        " %{http_code}",
        `https://127.0.0.1:${tlsPort}/clusters/${id}/api/v1/namespaces`,
      ]);
      expect(response.stdout.endsWith(" 401"), `${id}: ${response.stdout}`).toBe(true);
      bodies.add(response.stdout);
    }
    expect(bodies.size).toBe(1);
    // Downloading again revokes the previous download's token.
    const newer = await downloadKubeconfig(a, "newer");
    await expect(kubectl(kubeconfigA, "get", "namespaces")).rejects.toThrow(/You must be logged in to the server/);
    expect((await kubectl(newer, "get", "namespaces", "-o", "name")).stdout).toContain("namespace/default");
  }, 60_000);

  /** Opens a terminal WebSocket and collects its messages. */
  function attach(cookie: string | undefined, session: string) {
    const socket = new WebSocket(`${url.replace("http", "ws")}/terminal/${session}?cols=120&rows=30`, {
      headers: cookie ? { Cookie: cookie } : {},
    });
    const messages: Array<{ type: string; data?: string; message?: string; replayed?: boolean }> = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    const text = () =>
      messages
        .filter((message) => message.type === "output")
        .map((message) => message.data)
        .join("");
    const until = async (predicate: () => boolean, ms = 30_000) => {
      const started = Date.now();
      while (!predicate()) {
        if (Date.now() - started > ms) throw new Error(`timed out; got ${JSON.stringify(messages).slice(0, 2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    return { socket, messages, closed, text, until };
  }

  it("a cookie attaches only its own learner's terminal; forged, malformed and missing cookies are refused", async () => {
    const a = await newLearner();
    const b = await newLearner();
    const session = "lesson-tab-123456";
    const first = attach(`kubelab_learner=${a.cookie}`, session);
    await first.until(() => first.messages.some((message) => message.type === "ready"));
    await first.until(() => first.text().includes("$"));
    first.socket.send(JSON.stringify({ type: "input", data: "echo SECRET-$((6*7))-A\n" }));
    await first.until(() => first.text().includes("SECRET-42-A"));
    first.socket.close();
    await first.closed;

    // A again (a reconnect): the same shell, its output replayed — what B must never get.
    const again = attach(`kubelab_learner=${a.cookie}`, session);
    await again.until(() => again.text().includes("SECRET-42-A"));
    expect(again.messages.find((message) => message.type === "ready")?.replayed).toBe(true);
    again.socket.close();
    await again.closed;

    // B with the same session id: a shell of B's own, nothing of A's.
    const other = attach(`kubelab_learner=${b.cookie}`, session);
    await other.until(() => other.messages.some((message) => message.type === "ready"));
    other.socket.send(JSON.stringify({ type: "input", data: "echo MINE-$((6*7))-B\n" }));
    await other.until(() => other.text().includes("MINE-42-B"));
    expect(other.messages.find((message) => message.type === "ready")?.replayed).toBe(false);
    expect(other.text()).not.toContain("SECRET-42-A");
    other.socket.close();
    await other.closed;

    // A well-formed id that no learner has (forged or replayed after the learner is gone),
    // a malformed one, and none at all: refused before any shell starts.
    for (const cookie of [`kubelab_learner=${randomUUID()}`, "kubelab_learner=../../etc", undefined]) {
      const refused = attach(cookie, session);
      expect(await refused.closed).not.toBe(1000);
      expect(refused.messages.some((message) => message.type === "ready")).toBe(false);
      expect(refused.text()).toBe("");
      expect(refused.messages.find((message) => message.type === "error")?.message).toMatch(/not signed in/);
    }
  }, 90_000);
});
