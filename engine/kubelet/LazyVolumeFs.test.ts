import { describe, expect, it } from "vitest";
import { LazyVolumeFs } from "./LazyVolumeFs";

describe("LazyVolumeFs", () => {
  it("builds its file system on first use, with the files' texts and dates", async () => {
    const mtime = Date.UTC(2026, 0, 1, 12);
    const fs = new LazyVolumeFs(
      { token: "eyJ…", "ca.crt": "-----BEGIN CERTIFICATE-----", "sub/namespace": "default" },
      mtime,
    );
    expect(fs.built).toBe(false);
    expect(await fs.readdir("/")).toEqual(["ca.crt", "sub", "token"]);
    expect(fs.built).toBe(true);
    expect(await fs.readFile("/sub/namespace")).toBe("default");
    expect((await fs.stat("/token")).mtime.getTime()).toBe(mtime);
    expect(fs.getAllPaths()).toContain("/ca.crt");
  });

  it("takes the kubelet's rewrites like any file system", async () => {
    const fs = new LazyVolumeFs({ key: "old" }, undefined);
    await fs.rm("/key", { force: true });
    await fs.writeFile("/key", "new");
    expect(await fs.readFile("/key")).toBe("new");
    await expect(fs.readFile("/missing")).rejects.toThrow(/ENOENT|no such file/);
  });
});
