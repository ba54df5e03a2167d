import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function startHostProcess(
  dataDir: string,
  id?: string,
  token?: string,
): Promise<{ child: ChildProcess; url: string; id: string; token: string }> {
  const script = path.join(import.meta.dirname, "hostProcess.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script, dataDir, ...(id && token ? [id, token] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\S+) (\S+) (\S+)/.exec(output);
      if (match) resolve({ child, url: match[1], id: match[2], token: match[3] });
    });
    child.on("exit", (code) => reject(new Error(`host process exited with ${code}: ${output}`)));
  });
}

describe("a host killed with SIGKILL", () => {
  it("loses at most the last persistDelay (1 s) plus one write of work", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "kubelab-crash-"));
    folders.push(dataDir);
    const first = await startHostProcess(dataDir);
    const headers = { Authorization: `Bearer ${first.token}`, "Content-Type": "application/json" };
    const createdAt = new Map<string, number>();
    // Write steadily for 2.5 s after the first write landed (the first request starts the
    // cluster, which takes long on a loaded machine), then kill without warning.
    let began = Number.POSITIVE_INFINITY;
    for (let index = 0; Date.now() - began < 2500; index++) {
      const name = `cm-${index}`;
      const response = await fetch(`${first.url}/clusters/${first.id}/api/v1/namespaces/default/configmaps`, {
        method: "POST",
        headers,
        body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } }),
      });
      if (response.status === 201) {
        createdAt.set(name, Date.now());
        began = Math.min(began, Date.now());
      }
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const killedAt = Date.now();
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await startHostProcess(dataDir, first.id, first.token);
    const list = (await (
      await fetch(`${second.url}/clusters/${second.id}/api/v1/namespaces/default/configmaps`, {
        headers: { Authorization: `Bearer ${second.token}` },
      })
    ).json()) as { items: Array<{ metadata: { name: string } }> };
    const restored = new Set(list.items.map((item) => item.metadata.name));
    const lost = [...createdAt].filter(([name]) => !restored.has(name));
    // The documented bound: a change is on disk within persistDelayMs (1,000 ms) plus one snapshot
    // write (a few ms here); allow 500 ms for the write and scheduling on a busy CI machine.
    for (const [name, at] of lost) expect(killedAt - at, `${name} lost`).toBeLessThan(1500);
    expect(restored.size).toBeGreaterThan(0);
    expect(lost.length).toBeLessThan(createdAt.size);
  }, 90_000);
});
