/**
 * Serves one hosted cluster (every component) on a free loopback port and writes a kubeconfig for
 * it: for tests that drive the real kubectl. Prints `READY <url> <kubeconfig>`.
 * Usage: tsx serveForKubectl.ts <dataDir>
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";
import { createServingCertificate } from "../../engine/host/standalone/selfSignedCertificate";

const [dataDir] = process.argv.slice(2);
const host = new ClusterHost({ dataDir, speed: "fast" });
// kubectl sends a bearer token only over TLS.
const certificate = createServingCertificate(Date.now());
const served = await serveHost(host, { certificate });
const { id, token } = await host.create();
await (await host.acquire(id)).cluster.ready;
const kubeconfig = path.join(dataDir, "kubeconfig");
writeFileSync(kubeconfig, host.kubeconfig(id, token, `${served.url}${host.pathOf(id)}`, certificate.certificatePem));
process.stdout.write(`READY ${served.url} ${kubeconfig}\n`);
process.on("SIGTERM", () => {
  void host.close().then(() => process.exit(0));
});
