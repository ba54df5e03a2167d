import { describe, expect, it } from "vitest";
import { accessModesAsString, formatEndpointSlices } from "./describers";

const endpoint = (address: string, ready?: boolean) => ({
  addresses: [address],
  conditions: ready === undefined ? {} : { ready },
});

describe("formatEndpointSlices (describe service's Endpoints)", () => {
  it.each([
    { name: "no slices", slices: [], want: "<none>" },
    {
      name: "only ready endpoints; unset Ready counts as ready",
      slices: [
        {
          ports: [{ name: "", port: 80 }],
          endpoints: [endpoint("10.0.0.1", false), endpoint("10.0.0.2", true), endpoint("10.0.0.3")],
        },
      ],
      want: "10.0.0.2:80,10.0.0.3:80",
    },
    {
      name: "nothing ready",
      slices: [{ ports: [{ name: "", port: 5432 }], endpoints: [endpoint("10.0.0.4", false)] }],
      want: "",
    },
    {
      name: "headless without ports",
      slices: [{ endpoints: [endpoint("10.0.0.1"), endpoint("10.0.0.2", false)] }],
      want: "10.0.0.1",
    },
    {
      name: "more than three",
      slices: [
        {
          ports: [{ name: "", port: 80 }],
          endpoints: ["1", "2", "3", "4", "5"].map((n) => endpoint(`10.0.0.${n}`, true)),
        },
      ],
      want: "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...",
    },
    {
      name: "IPv6 in brackets",
      slices: [{ ports: [{ name: "", port: 80 }], endpoints: [endpoint("fd00::1", true)] }],
      want: "[fd00::1]:80",
    },
  ])("$name", ({ slices, want }) => {
    expect(formatEndpointSlices(slices, "")).toBe(want);
  });
});

describe("accessModesAsString", () => {
  it.each([
    { modes: ["ReadOnlyMany", "ReadWriteOnce", "ReadOnlyMany"], want: "RWO,ROX" },
    { modes: ["ReadWriteOncePod", "ReadWriteMany"], want: "RWX,RWOP" },
    { modes: undefined, want: "" },
  ])("$modes", ({ modes, want }) => {
    expect(accessModesAsString(modes)).toBe(want);
  });
});
