import { describe, expect, it } from "vitest";
import helpTexts from "./help/helpTexts.json";
import type { KubectlIO } from "./KubectlIO";
import { runKubectl } from "./kubectl";

async function kubectl(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: KubectlIO = {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    readStdin: async () => "",
    readFile: async () => "",
    writeFile: async () => undefined,
    readDirectory: async () => undefined,
    env: { KUBECONFIG: "/nonexistent", HOME: "/nonexistent" },
  };
  const status = await runKubectl(args, io);
  return { status, out, err };
}

const texts = helpTexts as Record<string, string>;

describe("kubectl help (cobra's help command)", () => {
  it.each([
    { name: "the root help", args: ["help"], text: texts[""] },
    { name: "a command's help", args: ["help", "get"], text: texts.get },
    { name: "a subcommand's help", args: ["help", "create", "deployment"], text: texts["create deployment"] },
    { name: "extra words after a command", args: ["help", "get", "pods"], text: texts.get },
    { name: "the help command's own help", args: ["help", "help"], text: texts.help },
    { name: "help -h", args: ["help", "-h"], text: texts.help },
  ])("$name", async ({ args, text }) => {
    expect(await kubectl(...args)).toEqual({ status: 0, out: text, err: "" });
  });

  it("reports an unknown topic with the root usage on stderr, exit 0", async () => {
    const root = texts[""] as string;
    expect(await kubectl("help", "nope", "x")).toEqual({
      status: 0,
      out: "",
      err: `Unknown help topic [\`nope\` \`x\`]\n\n${root.slice(root.indexOf("\nBasic Commands"))}`,
    });
  });
});

describe("commands refuse arguments and flag values they do not take, in kubectl's words", () => {
  it.each([
    { args: ["explain", "pods", "spec"], err: "error: We accept only this format: explain RESOURCE\n" },
    {
      args: ["api-resources", "a", "b"],
      err: "error: unexpected arguments: [a b]\nSee 'kubectl api-resources -h' for help and examples\n",
    },
    {
      args: ["api-versions", "extra"],
      err: "error: unexpected arguments: [extra]\nSee 'kubectl api-versions -h' for help and examples\n",
    },
    { args: ["version", "extra"], err: "error: extra arguments: [extra]\n" },
    {
      args: ["config", "view", "extra"],
      err: "error: unexpected arguments: [extra]\nSee 'kubectl config view -h' for help and examples\n",
    },
    { args: ["get", "--raw", "/api", "extra"], err: "error: arguments may not be passed when --raw is specified\n" },
    { args: ["get", "pods", "--raw", "/api"], err: "error: arguments may not be passed when --raw is specified\n" },
    {
      args: ["top", "node", "a", "b"],
      err: "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples\n",
    },
    { args: ["top", "pod", "--sort-by=bogus"], err: "error: --sort-by accepts only cpu or memory\n" },
    { args: ["top", "node", "--sort-by=bogus"], err: "error: --sort-by accepts only cpu or memory\n" },
    { args: ["api-resources", "--sort-by=bogus"], err: "error: --sort-by accepts only name or kind\n" },
    {
      args: ["get", "pods", "--show-labels", "-o", "name"],
      err: "error: --show-labels option cannot be used with name printer\n",
    },
    {
      args: ["get", "pods", "--output-watch-events"],
      err: "error: --output-watch-events option can only be used with --watch or --watch-only\n",
    },
    { args: ["get", "--raw", "/api", "-o", "json"], err: "error: --raw and --output are mutually exclusive\n" },
    {
      args: ["get", "--raw", "/api", "-l", "a=b"],
      err: "error: --raw may not be specified with other flags that filter the server request or alter the output\n",
    },
    {
      args: ["get", "--raw", "api/v1"],
      err: 'error: --raw must be a valid URL path: parse "api/v1": invalid URI for request\n',
    },
  ])("kubectl $args", async ({ args, err }) => {
    expect(await kubectl(...args)).toEqual({ status: 1, out: "", err });
  });
});
