import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigMaps } from "../../api/resources";
import { VirtualClock } from "../../clock/VirtualClock";
import { ClusterHost, hashToken } from "./ClusterHost";
import { serveHost } from "./testServer";

const folders: string[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function dataDir(): string {
  const folder = mkdtempSync(path.join(tmpdir(), "kubelab-hosting-"));
  folders.push(folder);
  return folder;
}

/** A host with the API server only (no components): these tests are about hosting, not pods. */
async function startHost(options: Partial<ConstructorParameters<typeof ClusterHost>[0]> = {}) {
  const lines: string[] = [];
  const host = new ClusterHost({
    dataDir: options.dataDir ?? dataDir(),
    components: [],
    persistDelayMs: 50,
    log: (line) => lines.push(line),
    ...options,
  });
  const served = await serveHost(host);
  closers.push(async () => {
    await served.close();
    await host.close();
  });
  const call = (id: string, token: string | undefined, urlPath: string, init: RequestInit = {}) =>
    fetch(`${served.url}/clusters/${id}${urlPath}`, {
      ...init,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        "Content-Type": "application/json",
        ...init.headers,
      },
    });
  return { host, url: served.url, server: served.server, call, lines };
}

const configMap = (name: string) =>
  JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" } });

describe("ClusterHost isolation", () => {
  it("opens a cluster only with its own token; unknown, malformed and guessed ids get the same 401", async () => {
    const { host, call } = await startHost();
    const a = await host.create();
    const b = await host.create();
    expect((await call(a.id, a.token, "/api/v1/namespaces")).status).toBe(200);
    const refusals = [
      await call(a.id, b.token, "/api/v1/namespaces"),
      await call(a.id, undefined, "/api/v1/namespaces"),
      await call("abcdefghijklmnopqrstuvwxyz", a.token, "/api/v1/namespaces"),
      await call("..%2F..%2Fetc", a.token, "/api/v1/namespaces"),
      await call(a.id.slice(0, 25), a.token, "/api/v1/namespaces"),
      await call(`${a.id.slice(0, 25)}${a.id.endsWith("a") ? "b" : "a"}`, a.token, "/api/v1/namespaces"),
    ];
    const bodies = await Promise.all(refusals.map((response) => response.text()));
    expect(refusals.map((response) => response.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0])).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    // What one learner creates, the other never sees.
    expect(
      (
        await call(a.id, a.token, "/api/v1/namespaces/default/configmaps", {
          method: "POST",
          body: configMap("secret-of-a"),
        })
      ).status,
    ).toBe(201);
    const seenByB = (await (await call(b.id, b.token, "/api/v1/namespaces/default/configmaps")).json()) as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(seenByB.items.map((item: { metadata: { name: string } }) => item.metadata.name)).not.toContain(
      "secret-of-a",
    );
  });

  it("stores only the SHA-256 of a token", async () => {
    const folder = dataDir();
    const { host } = await startHost({ dataDir: folder });
    const { id, token } = await host.create();
    const record = readFileSync(path.join(folder, id, "cluster.json"), "utf8");
    expect(record).not.toContain(token);
    expect(JSON.parse(record).tokens[0]).toMatchObject({ label: "terminal", sha256: hashToken(token) });
    // A downloaded kubeconfig's token works beside the terminal's; a new download replaces the old one.
    const first = await host.issueToken(id, "download");
    const second = await host.issueToken(id, "download");
    expect(host.verifyToken(id, token)).toBe(true);
    expect(host.verifyToken(id, first)).toBe(false);
    expect(host.verifyToken(id, second)).toBe(true);
    expect(readFileSync(path.join(folder, id, "cluster.json"), "utf8")).not.toContain(second);
  });

  it("tokens issued at once all land: no temporary file clash, no lost label, the file ends as memory does", async () => {
    const folder = dataDir();
    const { host } = await startHost({ dataDir: folder });
    const { id, token } = await host.create();
    const labels = ["terminal", "grader", "download", "grader", "download", "terminal", "grader", "download"];
    // Every one of them used to share one temporary file name: all but one rename failed with ENOENT.
    const tokens = await Promise.all(labels.map((label) => host.issueToken(id, label)));
    // The last token asked for of each label wins; the earlier ones of that label stop working.
    const last = new Map(labels.map((label, index) => [label, tokens[index]]));
    tokens.forEach((issued, index) => {
      expect(host.verifyToken(id, issued)).toBe(last.get(labels[index]) === issued);
    });
    expect(host.verifyToken(id, token)).toBe(false);
    const onDisk = JSON.parse(readFileSync(path.join(folder, id, "cluster.json"), "utf8")) as {
      tokens: Array<{ label: string; sha256: string }>;
    };
    expect(onDisk.tokens.map((entry) => entry.label).sort()).toEqual(["download", "grader", "terminal"]);
    for (const entry of onDisk.tokens) expect(entry.sha256).toBe(hashToken(last.get(entry.label) ?? ""));
    expect(readdirSync(path.join(folder, id)).filter((name) => name.includes(".tmp-"))).toEqual([]);
    // A fresh host reading the file agrees.
    const again = new ClusterHost({ dataDir: folder, components: [] });
    for (const issued of last.values()) expect(again.verifyToken(id, issued)).toBe(true);
    await again.close();
  });

  it("ids are 26 random base32 characters", async () => {
    const { host } = await startHost();
    const ids = await Promise.all(Array.from({ length: 20 }, () => host.create().then((created) => created.id)));
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{26}$/);
    expect(new Set(ids).size).toBe(20);
  });
});

describe("ClusterHost connections", () => {
  it("hears the server's accepted connections (its 'connection' event) before any request arrives on them", async () => {
    const { host, url, server } = await startHost();
    const { id } = await host.create();
    const live = await host.acquire(id);
    // A callback on the cluster's clock waits for its turn among the clusters' callbacks.
    const turn = () => new Promise<void>((resolve) => live.clock.setTimer(0, resolve));
    await turn();
    expect(host.turnsForConnections).toBe(0);
    // A connection that sends nothing: the host hears of it from the server, not from a request.
    const port = Number(new URL(url).port);
    const accepted = new Promise<void>((resolve) => server.once("connection", () => resolve()));
    const socket = connect(port, "127.0.0.1");
    closers.push(async () => {
      socket.destroy();
    });
    await accepted;
    // The next turn goes to the listen queue instead; the callback runs in the one after.
    await turn();
    expect(host.turnsForConnections).toBe(1);
    await turn();
    expect(host.turnsForConnections).toBe(1);
  });
});

describe("ClusterHost persistence", () => {
  it("restores objects after a graceful restart, with the same token", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder });
    const { id, token } = await first.host.create();
    await first.call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("kept") });
    await first.host.close();
    const second = await startHost({ dataDir: folder });
    const response = await second.call(id, token, "/api/v1/namespaces/default/configmaps/kept");
    expect(response.status).toBe(200);
    expect(second.lines.some((line) => line.includes(`${id}: restored`))).toBe(true);
  });

  it("a save or hibernation right after a write keeps that write", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder, persistDelayMs: 60_000 });
    const { id, token } = await first.host.create();
    const live = await first.host.acquire(id);
    await first.host.persist(id);
    // Written and hibernated in the same turn: the change must already count as unsaved.
    await live.cluster
      .client()
      .create(ConfigMaps, { ...JSON.parse(configMap("a")), metadata: { name: "a", namespace: "default" } });
    await first.host.hibernate(id);
    expect((await first.call(id, token, "/api/v1/namespaces/default/configmaps/a")).status).toBe(200);
    const again = await first.host.acquire(id);
    await first.host.persist(id);
    await again.cluster
      .client()
      .create(ConfigMaps, { ...JSON.parse(configMap("b")), metadata: { name: "b", namespace: "default" } });
    await first.host.close();
    const second = await startHost({ dataDir: folder });
    expect((await second.call(id, token, "/api/v1/namespaces/default/configmaps/b")).status).toBe(200);
  });

  it("saves within the persist delay after a change, without a shutdown", async () => {
    const folder = dataDir();
    const { host, call } = await startHost({ dataDir: folder, persistDelayMs: 100 });
    const { id, token } = await host.create();
    await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("soon") });
    const created = Date.now();
    let savedAt = 0;
    while (Date.now() - created < 2000) {
      try {
        if (readFileSync(path.join(folder, id, "snapshot")).includes("soon")) {
          savedAt = Date.now();
          break;
        }
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(savedAt).toBeGreaterThan(0);
    expect(savedAt - created).toBeLessThan(1000);
  });

  it("detects a snapshot cut in half, falls back to the previous good one and says so", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder });
    const { id, token } = await first.host.create();
    await first.call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("one") });
    await first.host.persist(id);
    await first.call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("two") });
    await first.host.persist(id, { whole: true });
    await first.host.close();
    const snapshot = path.join(folder, id, "snapshot");
    truncateSync(snapshot, Math.floor(statSync(snapshot).size / 2));
    const second = await startHost({ dataDir: folder });
    expect((await second.call(id, token, "/api/v1/namespaces/default/configmaps/one")).status).toBe(200);
    expect(second.lines.join("\n")).toMatch(/skipped a damaged snapshot .*truncated/);
    expect(second.lines.join("\n")).toMatch(/restored the previous good snapshot/);
  });

  it("journals the changes after a snapshot and replays them on restore, with their resource versions", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder, persistDelayMs: 60_000 });
    const { id, token } = await first.host.create();
    const create = (name: string) =>
      first.call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap(name) });
    await create("in-snapshot");
    await first.host.persist(id);
    const snapshot = readFileSync(path.join(folder, id, "snapshot"));
    const journaled = (await (await create("journaled")).json()) as { metadata: { resourceVersion: string } };
    await first.host.persist(id);
    expect(
      (await first.call(id, token, "/api/v1/namespaces/default/configmaps/in-snapshot", { method: "DELETE" })).status,
    ).toBe(200);
    await first.host.close();
    // Saves after the first appended to the journal; the snapshot is untouched.
    expect(readFileSync(path.join(folder, id, "snapshot")).equals(snapshot)).toBe(true);
    expect(readFileSync(path.join(folder, id, "journal"), "utf8").split("\n")).toHaveLength(3);
    const second = await startHost({ dataDir: folder });
    const again = await second.call(id, token, "/api/v1/namespaces/default/configmaps/journaled");
    expect(((await again.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe(
      journaled.metadata.resourceVersion,
    );
    expect((await second.call(id, token, "/api/v1/namespaces/default/configmaps/in-snapshot")).status).toBe(404);
    expect(second.lines.join("\n")).toMatch(new RegExp(`${id}: restored \\(\\d+ journaled changes replayed\\)`));
  });

  it("a store replaced by etcd starting on a restored data dir persists as replaced, not journaled onto the old snapshot", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder, persistDelayMs: 60_000 });
    const { id, token } = await first.host.create();
    const create = (name: string) =>
      first.call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap(name) });
    await create("in-backup");
    const live = await first.host.acquire(id);
    const backup = live.store.snapshot();
    await create("after-backup");
    await first.host.persist(id);
    await create("journaled");
    live.store.replace(backup);
    await create("after-restore");
    await first.host.persist(id);
    await first.host.close();
    const second = await startHost({ dataDir: folder });
    const status = async (name: string) =>
      (await second.call(id, token, `/api/v1/namespaces/default/configmaps/${name}`)).status;
    expect([await status("in-backup"), await status("after-backup"), await status("journaled")]).toEqual([
      200, 404, 404,
    ]);
    expect(await status("after-restore")).toBe(200);
  });

  it("a journal record cut short by a crash is skipped, says so, and the next save is a whole snapshot", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder, persistDelayMs: 60_000 });
    const { id, token } = await first.host.create();
    const create = (name: string) =>
      first.call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap(name) });
    await first.host.acquire(id);
    await first.host.persist(id);
    await create("whole-record");
    await first.host.persist(id);
    await create("cut-record");
    await first.host.close();
    const journal = path.join(folder, id, "journal");
    truncateSync(journal, statSync(journal).size - 20);
    const second = await startHost({ dataDir: folder, persistDelayMs: 20 });
    expect((await second.call(id, token, "/api/v1/namespaces/default/configmaps/whole-record")).status).toBe(200);
    expect((await second.call(id, token, "/api/v1/namespaces/default/configmaps/cut-record")).status).toBe(404);
    expect(second.lines.join("\n")).toMatch(/skipped the rest of the journal \(journal record 2 is cut short\)/);
    await second.host.persist(id);
    expect(readFileSync(path.join(folder, id, "snapshot")).includes("whole-record")).toBe(true);
    expect(readdirSync(path.join(folder, id))).not.toContain("journal");
  });

  it("starts fresh when every snapshot is damaged, and never crashes", async () => {
    const folder = dataDir();
    const first = await startHost({ dataDir: folder });
    const { id, token } = await first.host.create();
    await first.host.acquire(id);
    await first.host.close();
    writeFileSync(path.join(folder, id, "snapshot"), "garbage");
    writeFileSync(path.join(folder, id, "snapshot.previous"), "");
    const second = await startHost({ dataDir: folder });
    expect((await second.call(id, token, "/api/v1/namespaces/default")).status).toBe(200);
    expect(second.lines.join("\n")).toMatch(/no good snapshot left; starting a fresh cluster/);
  });

  it("a full disk (ENOSPC) is logged plainly, keeps the cluster serving and the previous snapshot, and the next save works", async () => {
    const folder = dataDir();
    const { host, call, lines } = await startHost({ dataDir: folder, persistDelayMs: 20 });
    const { id, token } = await host.create();
    await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("saved") });
    await host.persist(id);
    const snapshot = path.join(folder, id, "snapshot");
    const journal = path.join(folder, id, "journal");
    const good = readFileSync(snapshot);
    // Every write to /dev/full fails with ENOSPC, as on a full disk: the journal's append first,
    // then the whole snapshot that follows a failed append.
    symlinkSync("/dev/full", journal);
    await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("pending") });
    await expect(host.persist(id)).rejects.toMatchObject({ code: "ENOSPC" });
    symlinkSync("/dev/full", `${snapshot}.tmp-${process.pid}`);
    await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("pending-2") });
    for (let i = 0; i < 100 && !lines.some((line) => line.includes("could not save")); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(lines.join("\n")).toMatch(
      new RegExp(
        `${id}: could not save: the disk is full \\(ENOSPC: no space left on device, write\\); the cluster keeps running`,
      ),
    );
    expect(readFileSync(snapshot).equals(good)).toBe(true);
    expect((await call(id, token, "/api/v1/namespaces/default/configmaps/pending-2")).status).toBe(200);
    // Space again: the next save writes everything.
    rmSync(journal, { force: true });
    rmSync(`${snapshot}.tmp-${process.pid}`, { force: true });
    await host.persist(id);
    expect(readFileSync(snapshot).includes("pending-2")).toBe(true);
  });

  it("reset gives a fresh cluster with the same token", async () => {
    const { host, call } = await startHost();
    const { id, token } = await host.create();
    await call(id, token, "/api/v1/namespaces/default/configmaps", { method: "POST", body: configMap("gone") });
    await host.reset(id);
    expect((await call(id, token, "/api/v1/namespaces/default/configmaps/gone")).status).toBe(404);
    expect((await call(id, token, "/api/v1/namespaces/default")).status).toBe(200);
  });
});

describe("ClusterHost starting state", () => {
  it("reset places the state's node files (saved with the snapshot) and home files", async () => {
    const folder = dataDir();
    const home = path.join(dataDir(), "home");
    const applied: unknown[] = [];
    const applyStartingState = async (
      _cluster: unknown,
      state: unknown,
      files: {
        writeNodeFile: (n: string, f: string, c: string) => Promise<void>;
        writeHomeFile?: (f: string, c: string) => Promise<void>;
      },
    ) => {
      applied.push(state);
      await files.writeNodeFile("node01", "/etc/kubernetes/manifests/static-web.yaml", "kind: Pod\n");
      await files.writeHomeFile?.("~/lesson/start.yaml", "kind: ConfigMap\n");
      await files.writeHomeFile?.("/root/notes.txt", "hello\n");
      await expect(files.writeHomeFile?.("../../etc/passwd", "x")).rejects.toThrow(/leaves the learner's home/);
      await expect(files.writeNodeFile("node99", "/etc/x", "x")).rejects.toThrow(/no node node99/);
    };
    const first = await startHost({ dataDir: folder, applyStartingState });
    const { id } = await first.host.create();
    await first.host.reset(id, { lesson: "static-pods" }, { home });
    expect(applied).toEqual([{ lesson: "static-pods" }]);
    expect(readFileSync(path.join(home, "lesson", "start.yaml"), "utf8")).toBe("kind: ConfigMap\n");
    expect(readFileSync(path.join(home, "notes.txt"), "utf8")).toBe("hello\n");
    await first.host.close();
    // The node file came back from the snapshot, on the node it was placed on.
    const second = await startHost({ dataDir: folder });
    const engine = await second.host.acquire(id);
    expect(await engine.nodeFiles.get("node01")?.readFile("/etc/kubernetes/manifests/static-web.yaml")).toBe(
      "kind: Pod\n",
    );
  });
});

describe("ClusterHost template", () => {
  it("new clusters start from the template; one learner's writes reach neither the template nor another cluster", async () => {
    const { host, call, lines } = await startHost();
    const template = await host.prepareTemplate();
    expect(template?.store.byteLength).toBeGreaterThan(0);
    const a = await host.create();
    const b = await host.create();
    const created = await call(a.id, a.token, "/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: configMap("only-in-a"),
    });
    expect(created.status).toBe(201);
    const names = async (id: string, token: string) =>
      (
        (await (await call(id, token, "/api/v1/namespaces/default/configmaps")).json()) as {
          items: Array<{ metadata: { name: string } }>;
        }
      ).items.map((item) => item.metadata.name);
    expect(await names(b.id, b.token)).not.toContain("only-in-a");
    expect(await names(b.id, b.token)).toContain("kube-root-ca.crt");
    for (const id of [a.id, b.id])
      expect(lines.some((line) => line.startsWith(`hosting: ${id}: created from the template in `))).toBe(true);
    // A cluster made after a write still starts from the untouched template.
    const c = await host.create();
    expect(await names(c.id, c.token)).not.toContain("only-in-a");
    // Once saved, a cluster comes back from its own snapshot, not from the template.
    await host.hibernate(a.id);
    expect(await names(a.id, a.token)).toContain("only-in-a");
    expect(lines.some((line) => line.startsWith(`hosting: ${a.id}: restored in `))).toBe(true);
  });

  it("warm() serves a cluster from the template at once and boots its components behind it; a bootstrapped one it waits for", async () => {
    type Live = { bootPending: boolean; cluster: { ready: Promise<void> } };
    const liveOf = (host: ClusterHost, id: string) =>
      (host as unknown as { live: Map<string, Live> }).live.get(id) as Live;
    const settled = async (promise: Promise<void>) => {
      let done = false;
      void promise.then(() => {
        done = true;
      });
      await Promise.resolve();
      await Promise.resolve();
      return done;
    };
    const { host, call } = await startHost({ components: undefined, speed: "fast" });
    await host.prepareTemplate();
    const { id, token } = await host.create();
    await host.warm(id);
    const live = liveOf(host, id);
    // Booting (no request needed), not booted yet; the template's nodes are served meanwhile.
    expect(live.bootPending).toBe(false);
    expect(await settled(live.cluster.ready)).toBe(false);
    const nodes = (await (await call(id, token, "/api/v1/nodes")).json()) as {
      items: Array<{ metadata: { name: string }; status: { conditions: Array<{ type: string; status: string }> } }>;
    };
    expect(nodes.items.map((node) => node.metadata.name)).toEqual(["controlplane", "node01", "node02"]);
    for (const node of nodes.items)
      expect(node.status.conditions.find((condition) => condition.type === "Ready")?.status).toBe("True");
    await live.cluster.ready;

    const bare = await startHost({ components: undefined, speed: "fast", template: false });
    const created = await bare.host.create();
    await bare.host.warm(created.id);
    expect(await settled(liveOf(bare.host, created.id).cluster.ready)).toBe(true);
  });

  it("wake() starts a cluster from the template without booting it; holding it boots it", async () => {
    type Live = { bootPending: boolean; cluster: { ready: Promise<void> } };
    const liveOf = (host: ClusterHost, id: string) =>
      (host as unknown as { live: Map<string, Live> }).live.get(id) as Live;
    const { host, call } = await startHost({ components: undefined, speed: "fast" });
    await host.prepareTemplate();
    const { id, token } = await host.create();
    await host.wake(id);
    expect(liveOf(host, id).bootPending).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(liveOf(host, id).bootPending).toBe(true);
    const release = await host.hold(id);
    await liveOf(host, id).cluster.ready;
    expect(liveOf(host, id).bootPending).toBe(false);
    expect((await call(id, token, "/api/v1/nodes")).status).toBe(200);
    release();
  });

  it("is off with a given clock (a virtual clock would have to be advanced to settle it)", async () => {
    const { host } = await startHost({ clock: new VirtualClock(Date.UTC(2026, 10, 30)) });
    expect(await host.prepareTemplate()).toBeUndefined();
  });
});

describe("ClusterHost hibernation", () => {
  it("evicts an idle cluster (no timers left) and restores it on the next request", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 30));
    const folder = dataDir();
    const { host } = await startHost({ dataDir: folder, clock, idleMs: 60_000, persistDelayMs: 1000 });
    const { id } = await host.create();
    const engine = (await host.acquire(id)).cluster;
    await engine
      .client()
      .create(ConfigMaps, { ...JSON.parse(configMap("asleep")), metadata: { name: "asleep", namespace: "default" } });
    await clock.advance(1000);
    await host.persist(id);
    await clock.advance(60_000);
    // Let the hibernation's save finish.
    for (let i = 0; i < 50 && host.running().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(host.running()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    const restored = (await host.acquire(id)).cluster;
    const object = await restored.client().get(ConfigMaps, "default", "asleep");
    expect(object.metadata.name).toBe("asleep");
    expect(readdirSync(path.join(folder, id))).toContain("snapshot");
  });
});

describe("ClusterHost quotas", () => {
  it("refuses past the object and pod limits with a 403 naming the quota", async () => {
    const { host, call } = await startHost({ quotas: { objects: 60, pods: 2 } });
    const { id, token } = await host.create();
    const pod = (name: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      });
    expect((await call(id, token, "/api/v1/namespaces/default/pods", { method: "POST", body: pod("a") })).status).toBe(
      201,
    );
    expect((await call(id, token, "/api/v1/namespaces/default/pods", { method: "POST", body: pod("b") })).status).toBe(
      201,
    );
    const refused = await call(id, token, "/api/v1/namespaces/default/pods", { method: "POST", body: pod("c") });
    expect(refused.status).toBe(403);
    const status = (await refused.json()) as { message: string };
    expect(status).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(status.message).toBe(
      'pods "c" is forbidden: exceeded quota: kubelab-cluster-quota, requested: pods=1, used: pods=2, limited: pods=2',
    );
    let last: Response | undefined;
    for (let index = 0; index < 80; index++) {
      last = await call(id, token, "/api/v1/namespaces/default/configmaps", {
        method: "POST",
        body: configMap(`c${index}`),
      });
      if (last.status !== 201) break;
    }
    expect(last?.status).toBe(403);
    expect(((await (last as Response).json()) as { message: string }).message).toMatch(
      /exceeded quota: kubelab-cluster-quota, requested: count\/objects=1, used: count\/objects=60, limited: count\/objects=60/,
    );
  });

  it("limits the request rate with 429 and Retry-After, and open watches", async () => {
    const { host, call } = await startHost({ quotas: { requestsPerSecond: 1, requestBurst: 5, watches: 1 } });
    const { id, token } = await host.create();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let index = 0; index < 8; index++) {
      const response = await call(id, token, "/api/v1/namespaces");
      statuses.push(response.status);
      if (response.status === 429) limited = response;
      else await response.text();
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(limited?.headers.get("retry-after")).toBe("1");
    expect(((await (limited as Response).json()) as { message: string }).message).toMatch(
      /request rate limit \(1 requests per second, burst 5\)/,
    );
  });

  it("refuses a second watch past the watch limit", async () => {
    const { host, call } = await startHost({ quotas: { watches: 1 } });
    const { id, token } = await host.create();
    const controller = new AbortController();
    const first = await call(id, token, "/api/v1/namespaces/default/configmaps?watch=true", {
      signal: controller.signal,
    });
    expect(first.status).toBe(200);
    const second = await call(id, token, "/api/v1/namespaces/default/configmaps?watch=true");
    expect(second.status).toBe(429);
    expect(((await second.json()) as { message: string }).message).toBe(
      "too many open watches: the cluster's limit is 1 watches",
    );
    controller.abort();
    await first.body?.cancel().catch(() => undefined);
  });
});
