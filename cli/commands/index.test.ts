import { describe, expect, it } from "vitest";
import { commands } from "./index";

describe("the command registry", () => {
  it.each(commands.map((entry) => ({ name: entry.name, entry })))("loads $name as listed", async ({ entry }) => {
    const { command } = await entry.load();
    expect(command.name).toBe(entry.name);
    expect(command.run ?? command.subcommands).toBeDefined();
  });

  it("has unique names", () => {
    const names = commands.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
