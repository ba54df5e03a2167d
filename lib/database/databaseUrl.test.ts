import { describe, expect, it } from "vitest";
import { databaseFilePath } from "./databaseUrl";

describe("databaseFilePath", () => {
  it.each([
    { name: "default", url: undefined, expected: "/project/data/kubelab.db" },
    { name: "relative to the project root", url: "file:other/test.db", expected: "/project/other/test.db" },
    { name: "absolute", url: "file:/var/lib/kubelab/k.db", expected: "/var/lib/kubelab/k.db" },
    { name: "with parameters", url: "file:data/x.db?connection_limit=1", expected: "/project/data/x.db" },
  ])("$name", ({ url, expected }) => {
    expect(databaseFilePath({ DATABASE_URL: url }, "/project")).toBe(expected);
  });

  it("rejects URLs that are not SQLite files", () => {
    expect(() => databaseFilePath({ DATABASE_URL: "postgres://db/kubelab" }, "/project")).toThrow(/file:/);
  });
});
