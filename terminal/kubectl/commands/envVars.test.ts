import { describe, expect, it } from "vitest";
import { envFromSource, keyToEnvName, parseEnv, splitEnvironmentFromResources, updateEnv } from "./envVars";

describe("set env's helpers", () => {
  it.each([
    {
      name: "resources then changes",
      args: ["deploy/x", "A=1", "B-"],
      want: { resources: ["deploy/x"], envArgs: ["A=1", "B-"] },
    },
    { name: "a resource after a change", args: ["A=1", "deploy/x"], want: undefined },
    { name: "a leading = is not a change", args: ["=x"], want: { resources: ["=x"], envArgs: [] } },
  ])("splits arguments: $name", ({ args, want }) => {
    expect(splitEnvironmentFromResources(args)).toEqual(want);
  });

  it("reads KEY=VALUE lines from standard input, comments cut", async () => {
    const parsed = await parseEnv(["-", "X=1"], async () => "P=1 # c\n#Q=2\nR==3\n\n");
    expect(parsed.env).toEqual([
      { name: "P", value: "1 " },
      { name: "R", value: "=3" },
      { name: "X", value: "1" },
    ]);
  });

  it("refuses to set and remove one variable", async () => {
    await expect(parseEnv(["A=1", "A-"], async () => "")).rejects.toThrow(
      "error: can not both modify and remove the same environment variable in the same command",
    );
  });

  it("replaces where the old one was, appends new ones, and removal wins", () => {
    const existing = [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
      { name: "A", value: "dup" },
    ];
    expect(
      updateEnv(
        existing,
        [
          { name: "A", value: "9" },
          { name: "C", value: "3" },
        ],
        ["B"],
      ),
    ).toEqual([
      { name: "A", value: "9" },
      { name: "C", value: "3" },
    ]);
  });

  it("names references after the keys and reports renamed keys", () => {
    const warnings: string[] = [];
    const env = envFromSource(
      { kind: "ConfigMap", metadata: { name: "cfg" }, data: { "db.host": "x", PORT: "1" } } as never,
      [],
      (text) => warnings.push(text),
    );
    expect(env.map((entry) => entry.name)).toEqual(["DB_HOST", "PORT"]);
    expect(env[0]?.valueFrom).toEqual({ configMapKeyRef: { key: "db.host", name: "cfg" } });
    expect(warnings).toEqual(["Warning: key db.host transferred to DB_HOST\n"]);
    expect(keyToEnvName("a-b.c")).toBe("A_B_C");
  });
});
