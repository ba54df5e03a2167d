import { describe, expect, it } from "vitest";
import { type FlagSpec, HelpRequested, parseFlags } from "./flags";

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
];

describe("parseFlags", () => {
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
  ];
  it.each(errors)("reports $name as kubectl does", ({ args, message }) => {
    expect(() => parseFlags(args, specs, "kubectl get")).toThrow(message);
  });
  it("asks for help on -h", () => {
    expect(() => parseFlags(["-h"], specs, "kubectl get")).toThrow(HelpRequested);
  });
});
