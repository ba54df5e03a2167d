import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DiskNodeFileSystem } from "./DiskNodeFileSystem";

describe("DiskNodeFileSystem", () => {
  const roots: string[] = [];
  const make = () => {
    const root = mkdtempSync(path.join(tmpdir(), "kubelab-node-"));
    roots.push(root);
    return { root, fs: new DiskNodeFileSystem(root) };
  };
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  it("reads, writes, lists and removes under its root", async () => {
    const { root, fs } = make();
    await fs.writeFile("/etc/kubernetes/manifests/etcd.yaml", "kind: Pod\n");
    expect(readFileSync(path.join(root, "etc/kubernetes/manifests/etcd.yaml"), "utf8")).toBe("kind: Pod\n");
    expect(await fs.readDir("/etc/kubernetes/manifests")).toEqual(["etcd.yaml"]);
    expect(await fs.readFile("/etc/kubernetes/manifests/etcd.yaml")).toBe("kind: Pod\n");
    expect(await fs.readFile("/nope")).toBeUndefined();
    expect(await fs.readDir("/nope")).toEqual([]);
    await fs.remove("/etc/kubernetes");
    expect(existsSync(path.join(root, "etc/kubernetes"))).toBe(false);
  });

  it("cannot escape its root", async () => {
    const { root, fs } = make();
    await fs.writeFile("/../../escape.txt", "x");
    expect(readFileSync(path.join(root, "escape.txt"), "utf8")).toBe("x");
  });

  it("notifies changes in a watched folder", async () => {
    const { fs } = make();
    const seen: string[] = [];
    const stop = fs.watch("/etc/kubernetes/manifests", (name) => seen.push(name));
    await fs.writeFile("/etc/kubernetes/manifests/web.yaml", "kind: Pod\n");
    const deadline = Date.now() + 3000;
    while (!seen.includes("web.yaml") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    expect(seen).toContain("web.yaml");
  });
});
