import { runKubectl } from "./kubectl";
import { createNodeIO } from "./nodeIO";

/** Entry point: `tsx terminal/kubectl/main.ts get pods` (also behind `npx kubelab kubectl`). */
const controller = new AbortController();
process.on("SIGINT", () => controller.abort());
const status = await runKubectl(process.argv.slice(2), createNodeIO({ signal: controller.signal, interactive: true }));
process.exitCode = status;
