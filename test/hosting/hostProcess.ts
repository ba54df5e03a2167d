/**
 * A host in its own process for the crash test: serves `<dataDir>` on a free loopback port and
 * prints `READY <url> <id> <token>` (creating the cluster when no id is given).
 * Usage: tsx testHostProcess.ts <dataDir> [<id> <token>]
 */
import { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import { serveHost } from "../../engine/host/hosting/testServer";

const [dataDir, givenId, givenToken] = process.argv.slice(2);
const host = new ClusterHost({ dataDir, components: [], persistDelayMs: 1000 });
const served = await serveHost(host);
const { id, token } = givenId && givenToken ? { id: givenId, token: givenToken } : await host.create();
process.stdout.write(`READY ${served.url} ${id} ${token}\n`);
