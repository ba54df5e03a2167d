// The production server with the learner terminal mounted, every learner's shell pointed at the
// cluster in KUBELAB_TEST_KUBECONFIG (the hosting issue replaces this with per-learner clusters).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runServer } from "../../server/runServer";
import { mountTerminal } from "../../terminal/server";

const root = path.resolve(import.meta.dirname, "..", "..");
const kubeconfig = process.env.KUBELAB_TEST_KUBECONFIG;
if (!kubeconfig) throw new Error("KUBELAB_TEST_KUBECONFIG is not set");
mountTerminal({
  root,
  dataDirectory: mkdtempSync(path.join(tmpdir(), "kubelab-terminal-data-")),
  kubeconfigFor: async () => kubeconfig,
  log: (message) => console.error(message),
});
await runServer({ root, dev: false });
