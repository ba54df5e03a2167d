import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Shell } from "./Shell";

describe("the history file", () => {
  it("has every line, in order, by the time the shell exits", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-history-test-"));
    let historyAtExit: string | undefined;
    let prompts = 0;
    const shell = new Shell({
      homeDirectory: home,
      kubeconfig: "",
      write: (text) => {
        prompts += text.split("controlplane:~$ ").length - 1;
      },
      columns: 80,
      rows: 24,
      onExit: () => {
        historyAtExit = readFileSync(path.join(home, ".bash_history"), "utf8");
      },
    });
    await shell.start();
    const lines = Array.from({ length: 20 }, (_, index) => `echo line-${index}`);
    for (const line of lines) {
      const before = prompts;
      shell.input(`${line}\r`);
      while (prompts === before) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    shell.input("exit\r");
    while (historyAtExit === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(historyAtExit).toBe(`${[...lines, "exit"].join("\n")}\n`);
  });
});
