import { afterAll, describe, expect, it } from "vitest";
import type { Pod } from "../../../engine/api/core";
import { Deployments, Pods, ReplicaSets } from "../../../engine/api/resources";
import type { KubeObject } from "../../../engine/api/types";
import { seededRandom } from "../../../engine/apiserver/testing/testServer";
import { VirtualClock } from "../../../engine/clock/VirtualClock";
import { createCluster } from "../../../engine/cluster/createCluster";
import { InMemoryNodeFileSystem } from "../../../engine/kubelet/NodeFileSystem";
import { ClusterNodeBackend } from "../ClusterNodeBackend";

const manifest = "/etc/kubernetes/manifests/etcd.yaml";

describe("etcd backup and restore, the CKA way", async () => {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const fileSystems = new Map<string, InMemoryNodeFileSystem>();
  const cluster = createCluster({
    clock,
    speed: "fast",
    nodes: 1,
    random: seededRandom(7),
    nodeFileSystem: (node) => {
      let fs = fileSystems.get(node);
      if (!fs) {
        fs = new InMemoryNodeFileSystem();
        fileSystems.set(node, fs);
      }
      return fs;
    },
  });
  afterAll(() => cluster.stop());
  await cluster.ready;
  const client = cluster.client();
  const controlplane = fileSystems.get("controlplane") as InMemoryNodeFileSystem;
  const backend = new ClusterNodeBackend(async () => ({ cluster, fileSystem: (node) => fileSystems.get(node) }));

  async function run(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const status = await backend.run("controlplane", argv, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      cwd: "/root",
    });
    return { status, stdout, stderr };
  }
  async function until(what: string, done: () => Promise<boolean>) {
    for (let step = 0; step < 240; step++) {
      if (await done()) return;
      await clock.advance(500);
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const webPods = async () =>
    (await client.list<Pod>(Pods, "default", { labelSelector: "app=web" })).items.filter(
      (pod) => !pod.metadata.deletionTimestamp,
    );
  const runningWeb = async () => (await webPods()).filter((pod) => pod.status?.phase === "Running");
  const hasWeb = async () => (await client.list(Deployments, "default")).items.some((d) => d.metadata.name === "web");
  async function pointEtcdAt(dataDir: string) {
    const text = (await controlplane.readFile(manifest)) as string;
    await controlplane.writeFile(
      manifest,
      text.replace(
        /(- hostPath:\n\s+path: )\/var\/lib\/etcd[^\n]*(\n\s+type: DirectoryOrCreate\n\s+name: etcd-data)/,
        `$1${dataDir}$2`,
      ),
    );
  }

  it("saves, restores into a new data dir, and brings a deleted Deployment back when etcd moves there", async () => {
    await clock.advance(2_000);
    await client.create(Deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", labels: { app: "web" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
        },
      },
    });
    await until("2 web pods running", async () => (await runningWeb()).length === 2);
    expect(await controlplane.readDir("/var/lib/etcd/member")).toEqual(["snap", "wal"]);

    const save = await run(["etcdctl", "--endpoints=https://127.0.0.1:2379", "snapshot", "save", "/opt/backup.db"]);
    expect(save).toMatchObject({ status: 0, stdout: "Snapshot saved at /opt/backup.db\n" });

    await client.delete(Deployments, "default", "web");
    await until("the web pods gone", async () => (await webPods()).length === 0);
    expect(await hasWeb()).toBe(false);

    const restore = await run([
      "etcdutl",
      "snapshot",
      "restore",
      "/opt/backup.db",
      "--data-dir",
      "/var/lib/etcd-from-backup",
    ]);
    expect(restore.status).toBe(0);
    expect(restore.stdout).toBe("");
    const lines = restore.stderr.trimEnd().split("\n");
    expect(lines.map((line) => line.split("\t").slice(1, 4).join(" | "))).toEqual([
      "info | snapshot/v3_snapshot.go:265 | restoring snapshot",
      "info | membership/store.go:141 | Trimming membership information from the backend...",
      "info | membership/cluster.go:421 | added member",
      "info | snapshot/v3_snapshot.go:293 | restored snapshot",
    ]);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\tinfo\tsnapshot\/v3_snapshot.go:265\trestoring snapshot\t\{"path": "\/opt\/backup.db", "wal-dir": "\/var\/lib\/etcd-from-backup\/member\/wal", "data-dir": "\/var\/lib\/etcd-from-backup", "snap-dir": "\/var\/lib\/etcd-from-backup\/member\/snap", "initial-memory-map-size": 10737418240\}$/,
    );
    expect(lines[2]).toContain(
      '{"cluster-id": "cdf818194e3a8c32", "local-member-id": "0", "added-peer-id": "8e9e05c52164694d", "added-peer-peer-urls": ["http://localhost:2380"]}',
    );
    expect(await controlplane.readDir("/var/lib/etcd-from-backup/member/snap")).toEqual([
      "0000000000000001-0000000000000001.snap",
      "db",
    ]);
    expect(await controlplane.readDir("/var/lib/etcd-from-backup/member/wal")).toEqual([
      "0000000000000000-0000000000000000.wal",
    ]);
    // Nothing changes until etcd runs on the restored dir.
    await clock.advance(5_000);
    expect(await hasWeb()).toBe(false);

    await pointEtcdAt("/var/lib/etcd-from-backup");
    await until(
      "the Deployment back with 2 running pods",
      async () => (await hasWeb()) && (await runningWeb()).length === 2,
    );
    const sets = await client.list<KubeObject>(ReplicaSets, "default", { labelSelector: "app=web" });
    expect(sets.items).toHaveLength(1);
    expect(sets.items[0]?.status?.readyReplicas).toBe(2);
    // The dir etcd left keeps the store it had, and the new one is the running member's.
    expect((await controlplane.readFile("/var/lib/etcd/member/snap/db"))?.split("\n")[1]).toBe("stored");
    expect((await controlplane.readFile("/var/lib/etcd-from-backup/member/snap/db"))?.split("\n")[1]).toBe("live");
    // The snapshot's mirror pod was the old manifest's: the kubelet replaces it with the running one's.
    const etcdDataDir = async () =>
      (await client.get<Pod>(Pods, "kube-system", "etcd-controlplane")).spec?.volumes?.find(
        (volume) => volume.name === "etcd-data",
      )?.hostPath?.path;
    await until(
      "the etcd mirror pod updated",
      async () => (await etcdDataDir().catch(() => "")) === "/var/lib/etcd-from-backup",
    );
  });

  it("points etcd back at the old dir: the store it left there comes back", async () => {
    await pointEtcdAt("/var/lib/etcd");
    await until("the Deployment gone again", async () => !(await hasWeb()) && (await webPods()).length === 0);
    expect((await controlplane.readFile("/var/lib/etcd/member/snap/db"))?.split("\n")[1]).toBe("live");
  });

  const refusals = [
    {
      name: "an existing data dir",
      argv: ["etcdutl", "snapshot", "restore", "/opt/backup.db", "--data-dir", "/var/lib/etcd"],
      status: 1,
      stderr: 'Error: data-dir "/var/lib/etcd" not empty or could not be read\n',
    },
    {
      name: "no snapshot named",
      argv: ["etcdutl", "snapshot", "restore", "--data-dir", "/tmp/x"],
      status: 128,
      stderr: "Error: snapshot restore requires exactly one argument\n",
    },
    {
      name: "a revision bump without --mark-compacted",
      argv: ["etcdutl", "snapshot", "restore", "/opt/backup.db", "--data-dir", "/tmp/x", "--bump-revision", "1000"],
      status: 128,
      stderr: "Error: --mark-compacted required if --revision-bump > 0\n",
    },
    {
      name: "a name missing from --initial-cluster",
      argv: ["etcdutl", "snapshot", "restore", "/opt/backup.db", "--data-dir", "/tmp/x", "--name", "controlplane"],
      status: 1,
      stderr: 'Error: couldn\'t find local name "controlplane" in the initial cluster configuration\n',
    },
  ];
  for (const refusal of refusals)
    it(`refuses ${refusal.name}`, async () => {
      const result = await run(refusal.argv);
      expect(result.status).toBe(refusal.status);
      expect(result.stderr).toBe(refusal.stderr);
    });

  it("a missing file fails after the first log line; a copied db needs --skip-hash-check", async () => {
    const missing = await run(["etcdutl", "snapshot", "restore", "/opt/nope.db", "--data-dir", "/tmp/nope"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(
      /\trestoring snapshot\t.*\nError: open \/opt\/nope.db: no such file or directory\n$/,
    );
    expect(await controlplane.readDir("/tmp/nope")).toEqual([]);
    const copied = await run([
      "etcdutl",
      "snapshot",
      "restore",
      "/var/lib/etcd/member/snap/db",
      "--data-dir",
      "/tmp/copy",
    ]);
    expect(copied.status).toBe(1);
    expect(copied.stderr).toMatch(/\nError: snapshot missing hash but --skip-hash-check=false\n$/);
    const skipped = await run([
      "etcdutl",
      "snapshot",
      "restore",
      "/var/lib/etcd/member/snap/db",
      "--data-dir",
      "/tmp/skipped",
      "--skip-hash-check",
    ]);
    expect(skipped.status).toBe(0);
    await controlplane.writeFile("/opt/broken.db", "not a snapshot");
    const broken = await run(["etcdutl", "snapshot", "restore", "/opt/broken.db", "--data-dir", "/tmp/broken"]);
    expect(broken.stderr).toMatch(/\nError: snapshot missing hash but --skip-hash-check=false\n$/);
  });

  it("etcdctl's deprecated restore says so, logs a 0 memory map and restores with the bump etcdutl allows", async () => {
    const result = await run(["etcdctl", "snapshot", "restore", "/opt/backup.db", "--data-dir=/var/lib/etcd-ctl"]);
    expect(result.status).toBe(0);
    expect(result.stderr.startsWith("Deprecated: Use `etcdutl snapshot restore` instead.\n\n")).toBe(true);
    expect(result.stderr).toContain('"initial-memory-map-size": 0}');
    const bumped = await run([
      "etcdutl",
      "snapshot",
      "restore",
      "/opt/backup.db",
      "--data-dir=/var/lib/etcd-bumped",
      "--bump-revision=1000000000",
      "--mark-compacted",
    ]);
    expect(bumped.status).toBe(0);
    const saved = await run(["etcdutl", "snapshot", "status", "/opt/backup.db", "-w", "json"]);
    const restored = await run(["etcdutl", "snapshot", "status", "/var/lib/etcd-bumped/member/snap/db", "-w", "json"]);
    expect(JSON.parse(restored.stdout).revision).toBe(JSON.parse(saved.stdout).revision + 1000000000);
  });
});
