import type { CliCommand } from "../Command";

/** `kubelab kubectl …`: the same kubectl the learner's terminal runs, against $KUBECONFIG. */
export const command: CliCommand = {
  name: "kubectl",
  summary: "Run Kubelab's kubectl (as in the learner's terminal) against $KUBECONFIG",
  rawArguments: true,
  async run({ args, io }) {
    const { runKubectl } = await import("../../terminal/kubectl/kubectl");
    const { createNodeIO } = await import("../../terminal/kubectl/nodeIO");
    const controller = new AbortController();
    const onInterrupt = () => controller.abort();
    process.once("SIGINT", onInterrupt);
    try {
      const nodeIO = createNodeIO({ signal: controller.signal, cwd: io.cwd, interactive: true });
      return await runKubectl(args, {
        ...nodeIO,
        stdout: (text) => io.stdout.write(text),
        stderr: (text) => io.stderr.write(text),
        env: io.env,
      });
    } finally {
      process.removeListener("SIGINT", onInterrupt);
    }
  },
};
