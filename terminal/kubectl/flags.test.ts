import { describe, expect, it } from "vitest";
import { type FlagSpec, Flags, HelpRequested, parseFlags, parseGoDuration } from "./flags";

const specs: FlagSpec[] = [
  { name: "namespace", shorthand: "n", kind: "string" },
  { name: "output", shorthand: "o", kind: "string" },
  { name: "all-namespaces", shorthand: "A", kind: "bool" },
  { name: "stdin", shorthand: "i", kind: "bool" },
  { name: "tty", shorthand: "t", kind: "bool" },
  { name: "replicas", kind: "int" },
  { name: "env", kind: "stringArray" },
  { name: "image", kind: "stringSlice" },
  { name: "dry-run", kind: "string", default: "none", noOptDefault: "unchanged" },
  { name: "timeout", kind: "duration", default: "0s" },
];

describe("parseFlags", () => {
  it("keeps each flag as pflag's ParseAll sees it, in order, for --record's command line", () => {
    const parsed = parseFlags(
      ["scale", "-n", "default", "deploy", "web", "--replicas=2", "-it", "--dry-run", "--env", "A=1"],
      specs,
      "kubectl scale",
    );
    expect(parsed.positional).toEqual(["scale", "deploy", "web"]);
    expect(parsed.assignments).toEqual([
      ["namespace", "default"],
      ["replicas", "2"],
      ["stdin", "true"],
      ["tty", "true"],
      ["dry-run", "unchanged"],
      ["env", "A=1"],
    ]);
  });

  it("accepts pflag's forms and interspersed positionals", () => {
    const parsed = parseFlags(
      ["get", "-n", "kube-system", "pods", "-oyaml", "--replicas=3", "-it", "--env", "A=1", "--env=B=2", "--image=a,b"],
      specs,
      "kubectl get",
    );
    expect(parsed.positional).toEqual(["get", "pods"]);
    expect(parsed.values.get("namespace")).toBe("kube-system");
    expect(parsed.values.get("output")).toBe("yaml");
    expect(parsed.values.get("replicas")).toBe(3);
    expect(parsed.values.get("stdin")).toBe(true);
    expect(parsed.values.get("tty")).toBe(true);
    expect(parsed.values.get("env")).toEqual(["A=1", "B=2"]);
    expect(parsed.values.get("image")).toEqual(["a", "b"]);
  });
  it("keeps arguments after -- and remembers where the dash was", () => {
    const parsed = parseFlags(["exec", "pod", "--", "ls", "-l"], specs, "kubectl exec");
    expect(parsed.positional).toEqual(["exec", "pod", "ls", "-l"]);
    expect(parsed.argsLenAtDash).toBe(2);
  });
  it("uses the no-value default for --dry-run", () => {
    expect(parseFlags(["--dry-run"], specs, "kubectl").values.get("dry-run")).toBe("unchanged");
  });
  const errors: { name: string; args: string[]; message: string }[] = [
    {
      name: "unknown long flag",
      args: ["--foo"],
      message: "Error: unknown flag: --foo\nSee 'kubectl get --help' for usage.",
    },
    {
      name: "unknown shorthand",
      args: ["-x"],
      message: "Error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage.",
    },
    {
      name: "missing value",
      args: ["-n"],
      message: "Error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage.",
    },
    {
      name: "bad integer",
      args: ["--replicas=x"],
      message:
        'Error: invalid argument "x" for "--replicas" flag: strconv.ParseInt: parsing "x": invalid syntax\nSee \'kubectl get --help\' for usage.',
    },
    {
      name: "bad duration",
      args: ["--timeout=5"],
      message:
        'Error: invalid argument "5" for "--timeout" flag: time: invalid duration "5"\nSee \'kubectl get --help\' for usage.',
    },
  ];
  it.each(errors)("reports $name as kubectl does", ({ args, message }) => {
    expect(() => parseFlags(args, specs, "kubectl get")).toThrow(message);
  });
  it("asks for help on -h", () => {
    expect(() => parseFlags(["-h"], specs, "kubectl get")).toThrow(HelpRequested);
  });
  it("announces each use of a deprecated flag as pflag does", () => {
    const deprecated: FlagSpec[] = [
      { name: "record", kind: "bool", deprecated: "--record will be removed in the future" },
    ];
    expect(parseFlags(["--record", "x"], deprecated, "kubectl scale").deprecationNotices).toEqual([
      "Flag --record has been deprecated, --record will be removed in the future",
    ]);
    expect(parseFlags(["x"], deprecated, "kubectl scale").deprecationNotices).toEqual([]);
  });
  it("reads a duration flag in milliseconds", () => {
    expect(new Flags(parseFlags(["--timeout=1m30s"], specs, "kubectl")).duration("timeout")).toBe(90_000);
    expect(new Flags(parseFlags([], specs, "kubectl")).duration("timeout")).toBe(0);
  });
});

describe("parseGoDuration", () => {
  it.each([
    { name: "seconds", text: "5s", ms: 5000 },
    { name: "units together", text: "1h2m3.5s", ms: 3_723_500 },
    { name: "milliseconds", text: "250ms", ms: 250 },
    { name: "bare zero", text: "0", ms: 0 },
    { name: "negative", text: "-2s", ms: -2000 },
    { name: "no unit", text: "5", ms: undefined },
    { name: "words", text: "abc", ms: undefined },
    { name: "empty", text: "", ms: undefined },
  ])("$name", ({ text, ms }) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
