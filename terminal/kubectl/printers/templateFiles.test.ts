import { describe, expect, it } from "vitest";
import { customColumnsFromTemplate } from "./templateFiles";

describe("customColumnsFromTemplate", () => {
  it.each([
    {
      name: "headers over specs",
      text: "NAME   NODE\nmetadata.name  spec.nodeName\n",
      want: "NAME:metadata.name,NODE:spec.nodeName",
    },
    { name: "no final newline", text: "A\n.x", want: "A:.x" },
  ])("reads $name", ({ text, want }) => {
    expect(customColumnsFromTemplate(text)).toBe(want);
  });

  it.each([
    { name: "an empty file", text: "", error: "missing header line" },
    { name: "a header line only", text: "A B\n", error: "missing spec line" },
    {
      name: "uneven lines",
      text: "A B\n.x\n",
      error: "number of headers (2) and field specifications (1) don't match",
    },
  ])("refuses $name", ({ text, error }) => {
    expect(() => customColumnsFromTemplate(text)).toThrow(error);
  });
});
