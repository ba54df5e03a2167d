import { describe, expect, it } from "vitest";
import { formatTabbed } from "./tabwriter";

describe("formatTabbed", () => {
  it("pads columns to the widest cell plus three spaces and leaves the last cell alone", () => {
    expect(formatTabbed("NAME\tAGE\nlonger-name\t5s\n")).toBe("NAME          AGE\nlonger-name   5s\n");
  });
  it("pads empty trailing cells like Go's tabwriter", () => {
    expect(formatTabbed("A\tB\t\nx\t\t\n")).toBe("A   B   \nx       \n");
  });
  it("starts a new column block after a line without that cell", () => {
    expect(formatTabbed("a:\tx\nheader\nlonger:\ty\n", 2)).toBe("a:  x\nheader\nlonger:  y\n");
  });
});
