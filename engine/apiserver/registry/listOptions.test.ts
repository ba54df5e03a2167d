import { describe, expect, it } from "vitest";
import { renderFieldError } from "../ApiError";
import { type ListOptionsToValidate, validateListOptions } from "./listOptions";

// Cases and expected messages from upstream's TestValidateListOptions (WatchList enabled).
describe("validateListOptions", () => {
  const cases: Array<{ name: string; watch: boolean; options: ListOptionsToValidate; expected: string[] }> = [
    { name: "plain watch", watch: true, options: {}, expected: [] },
    {
      name: "watch with sendInitialEvents and NotOlderThan",
      watch: true,
      options: { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" },
      expected: [],
    },
    {
      name: "watch-resourceversionmatch-without-sendInitialEvents-forbidden",
      watch: true,
      options: { resourceVersionMatch: "NotOlderThan" },
      expected: [
        "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
      ],
    },
    {
      name: "watch-sendInitialEvents-without-resourceversionmatch-forbidden",
      watch: true,
      options: { sendInitialEvents: true },
      expected: [
        "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
      ],
    },
    {
      name: "watch-sendInitialEvents-with-exact-resourceversionmatch-forbidden",
      watch: true,
      options: { sendInitialEvents: true, resourceVersionMatch: "Exact" },
      expected: [
        "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"',
      ],
    },
    {
      name: "watch with continue",
      watch: true,
      options: { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", continue: "123" },
      expected: ["resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"],
    },
    {
      name: "list match without resourceVersion",
      watch: false,
      options: { resourceVersionMatch: "NotOlderThan" },
      expected: [
        "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
      ],
    },
    {
      name: "list unsupported match",
      watch: false,
      options: { resourceVersion: "5", resourceVersionMatch: "Newest" },
      expected: ['resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'],
    },
    {
      name: "list Exact at 0",
      watch: false,
      options: { resourceVersion: "0", resourceVersionMatch: "Exact" },
      expected: ['resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    },
    {
      name: "list with sendInitialEvents",
      watch: false,
      options: { sendInitialEvents: false },
      expected: ["sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"],
    },
  ];
  it.each(cases)("$name", ({ watch, options, expected }) => {
    expect(validateListOptions(options, watch).map(renderFieldError)).toEqual(expected);
  });
});
