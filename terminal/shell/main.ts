import { readFileSync } from "node:fs";
import { Shell } from "./Shell";

/**
 * The learner shell process, spawned by node-pty per terminal session:
 * `node --import tsx terminal/shell/main.ts` with KUBELAB_HOME (the learner's home folder on
 * disk) and KUBECONFIG (the learner's cluster kubeconfig on the host).
 */
const home = process.env.KUBELAB_HOME;
const kubeconfigPath = process.env.KUBECONFIG;
if (!home) {
  process.stderr.write("kubelab shell: KUBELAB_HOME is not set\n");
  process.exit(2);
}
let kubeconfig = "";
try {
  kubeconfig = kubeconfigPath ? readFileSync(kubeconfigPath, "utf8") : "";
} catch {
  process.stderr.write(`kubelab shell: cannot read kubeconfig ${kubeconfigPath}\n`);
}
if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.setEncoding("utf8");
const shell = new Shell({
  homeDirectory: home,
  kubeconfig,
  hostname: process.env.KUBELAB_HOSTNAME || "controlplane",
  write: (text) => process.stdout.write(text),
  columns: process.stdout.columns || 80,
  rows: process.stdout.rows || 24,
  onExit: (status) => {
    process.stdout.write("", () => process.exit(status));
  },
});
process.stdout.on("resize", () => shell.resize(process.stdout.columns, process.stdout.rows));
process.stdin.on("data", (data: string) => shell.input(data));
process.stdin.on("end", () => process.exit(0));
// Ctrl-C reaches us as a byte in raw mode; a SIGINT would only come from outside.
process.on("SIGINT", () => undefined);
process.on("SIGHUP", () => process.exit(129));
await shell.start();
