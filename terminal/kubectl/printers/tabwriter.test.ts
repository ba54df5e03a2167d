import { describe, expect, it } from "vitest";
import { formatTabbed } from "./tabwriter";

describe("formatTabbed", () => {
  it("pads columns to the widest cell plus three spaces and leaves the last cell alone", () => {
    expect(formatTabbed("NAME\tAGE\nlonger-name\t5s\n")).toBe("NAME          AGE\nlonger-name   5s\n");
  });
  it("pads empty trailing cells like Go's tabwriter", () => {
    expect(formatTabbed("A\tB\t\nx\t\t\n", 3, 0)).toBe("A   B   \nx       \n");
  });
  it.each([
    { name: "--no-headers deployment row", text: "web\t2/2\t2\t2\t20m\n", want: "web   2/2   2     2     20m\n" },
    { name: "short custom-columns headers", text: "R\tN\n2\tweb\n", want: "R     N\n2     web\n" },
    { name: "empty cell", text: "*\tctx\n", want: "*     ctx\n" },
    { name: "wider cells are unaffected", text: "longer-name\tx\n", want: "longer-name   x\n" },
  ])("keeps kubectl's printer minwidth 6: $name", ({ text, want }) => {
    expect(formatTabbed(text)).toBe(want);
  });
  it("describe's tabwriter has no minwidth", () => {
    expect(formatTabbed("a:\tx\n", 2, 0)).toBe("a:  x\n");
  });
  it("starts a new column block after a line without that cell", () => {
    expect(formatTabbed("a:\tx\nheader\nlonger:\ty\n", 2, 0)).toBe("a:  x\nheader\nlonger:  y\n");
  });
});
