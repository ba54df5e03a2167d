import { describe, expect, it } from "vitest";
import { formatTabbed } from "../printers/tabwriter";
import { podUsageSum } from "./pods";

describe("podUsageSum (top pod --sum)", () => {
  const rows = [
    { cpu: 1, memory: 6388 * 1024 },
    { cpu: 0.5, memory: 3 * 1024 ** 2 },
  ];
  it("prints the totals under the last two columns", () => {
    const table = `NAME\tCPU(cores)\tMEMORY(bytes)\t\nweb\t1m\t6Mi\t\n${podUsageSum(rows, 3)}`;
    expect(formatTabbed(table)).toBe(
      "NAME   CPU(cores)   MEMORY(bytes)   \nweb    1m           6Mi             \n       ________     ________        \n       2m           9Mi             \n",
    );
  });
  it("leads with one empty cell per extra column", () => {
    expect(podUsageSum(rows, 5)).toBe("\t\t\t________\t________\t\n\t\t\t2m\t9Mi\t\n");
  });
});
