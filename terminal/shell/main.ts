import { readFileSync } from "node:fs";
import { nodeAccessFromKubeconfig } from "../node/nodeAccessKubeconfig";
import { RemoteNodeBackend } from "../node/RemoteNodeBackend";
import { Shell, warmUpStages } from "./Shell";
import { WarmStages, warmShellStart } from "./warmShell";

/**
 * The learner shell process, spawned by node-pty per terminal session:
 * `node --import tsx terminal/shell/main.ts` with KUBELAB_HOME (the learner's home folder on
 * disk), KUBECONFIG (the learner's cluster kubeconfig on the host) and, when the terminal server
 * gives node access, KUBELAB_NODE_URL and KUBELAB_NODE_TOKEN (the cluster's nodes, for ssh,
 * crictl, etcdctl …).
 */
/**
 * A pre-started ("warm") shell waits for its learner: the first stdin line is JSON
 * `{home, kubeconfig, hostname}`. Loading the modules is the slow part of starting, so the
 * terminal service keeps one warm shell ready and hands it to the next session.
 */
async function readConfigLine(): Promise<{
  home?: string;
  kubeconfig?: string;
  hostname?: string;
  nodeUrl?: string;
  nodeToken?: string;
}> {
  return new Promise((resolve) => {
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer | string) => {
      buffer = Buffer.concat([buffer, typeof chunk === "string" ? Buffer.from(chunk) : chunk]);
      const newline = buffer.findIndex((byte) => byte === 0x0a || byte === 0x0d);
      if (newline < 0) return;
      process.stdin.off("data", onData);
      process.stdin.pause();
      // Keys typed right after the terminal opened may share the configuration line's chunk: keep them.
      const rest = buffer.subarray(
        buffer[newline] === 0x0d && buffer[newline + 1] === 0x0a ? newline + 2 : newline + 1,
      );
      if (rest.length > 0) process.stdin.unshift(rest);
      try {
        resolve(JSON.parse(buffer.subarray(0, newline).toString("utf8")));
      } catch {
        resolve({});
      }
    };
    process.stdin.on("data", onData);
  });
}

/** What a pre-started shell warms up while it waits; what it had no time for runs after the prompt. */
const warmStages = new WarmStages(process.env.KUBELAB_WARM === "1" ? [warmShellStart, ...warmUpStages()] : []);

if (process.env.KUBELAB_WARM === "1") {
  // Quiet until configured: no echo of the configuration line.
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  // Raw now: the terminal service may write the configuration line (see warmShellReady).
  process.stdout.write("\x1b]697;kubelab-shell-ready\x07");
  // While waiting, run what starting a shell runs, then the code a first command runs, so the
  // prompt follows the configuration line within a few ms and the first command is quick. A
  // learner who comes meanwhile does not wait for the stage in progress; the rest runs after the prompt.
  const configuring = readConfigLine();
  await warmStages.run(configuring);
  // The learner's own shell is about to take that path: a throwaway one would add nothing.
  warmStages.drop(warmShellStart);
  const config = await configuring;
  if (config.home) process.env.KUBELAB_HOME = config.home;
  if (config.kubeconfig) process.env.KUBECONFIG = config.kubeconfig;
  if (config.hostname) process.env.KUBELAB_HOSTNAME = config.hostname;
  if (config.nodeUrl && config.nodeToken) {
    process.env.KUBELAB_NODE_URL = config.nodeUrl;
    process.env.KUBELAB_NODE_TOKEN = config.nodeToken;
  }
}
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
process.stdin.resume();
// Node access from the terminal server, else the one `kubelab cluster up` records in its kubeconfig.
const recorded = process.env.KUBELAB_NODE_URL ? undefined : nodeAccessFromKubeconfig(kubeconfig);
const nodeUrl = process.env.KUBELAB_NODE_URL ?? recorded?.url;
const nodeToken = process.env.KUBELAB_NODE_TOKEN ?? recorded?.token;
// The token is the shell's own: keep it out of what commands see (env, printenv).
delete process.env.KUBELAB_NODE_TOKEN;
const shell = new Shell({
  nodes: nodeUrl && nodeToken ? new RemoteNodeBackend(nodeUrl, nodeToken) : undefined,
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
// A first command then finds its code compiled; keys typed meanwhile are handled between stages.
await warmStages.run();
