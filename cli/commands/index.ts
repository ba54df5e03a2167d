import type { CliCommand } from "../Command";

/** A top-level command, loaded only when it runs or when help lists it, so `kubelab --help` stays fast. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ command: CliCommand }>;
}

/**
 * The `kubelab` commands. To add one, write cli/commands/<name>.ts exporting `command: CliCommand`
 * and add its line here.
 */
export const commands: CommandEntry[] = [
  { name: "version", summary: "Print the Kubelab version", load: () => import("./version") },
  { name: "cluster", summary: "Run a standalone Kubelab cluster", load: () => import("./cluster") },
  { name: "kubectl", summary: "Run Kubelab's kubectl against $KUBECONFIG", load: () => import("./kubectl") },
  {
    name: "shell",
    summary: "Open the learner's shell (kubectl, ssh, crictl, etcdctl) against $KUBECONFIG",
    load: () => import("./shell"),
  },
  { name: "grade", summary: "Grade a cluster or a submission against a lesson", load: () => import("./grade") },
  { name: "lessons", summary: "Validate lessons and prove their exercises", load: () => import("./lessons") },
];
