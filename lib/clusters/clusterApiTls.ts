import "server-only";
import path from "node:path";
import type { ClusterHost } from "../../engine/host/hosting/ClusterHost";
import {
  defaultHostNames,
  loadServingCertificate,
  startClusterApiTlsListener,
} from "../../engine/host/hosting/tlsListener";
import { setClusterApiTls } from "./clusterHost";

/**
 * Starts the HTTPS listener for learners' own kubectl when `KUBELAB_TLS_PORT` is set (0 picks a
 * free port): the operator's certificate from `KUBELAB_TLS_CERT`/`KUBELAB_TLS_KEY`, or a
 * self-signed one kept in `<data>/tls/` for localhost, this machine's name and addresses and the
 * names in `KUBELAB_TLS_HOSTNAMES` (comma-separated). Registers it so downloaded kubeconfigs point
 * at it; returns undefined when TLS is off. Loaded only by the server (server/mounts.ts).
 */
export async function startClusterApiTlsFromEnvironment(
  host: ClusterHost,
  dataDirectory: string,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<{ port: number; close(): Promise<void> } | undefined> {
  const raw = environment.KUBELAB_TLS_PORT?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`KUBELAB_TLS_PORT must be a port number, got ${raw}`);
  const { certificate, selfSigned } = await loadServingCertificate({
    certificateFile: environment.KUBELAB_TLS_CERT?.trim() || undefined,
    keyFile: environment.KUBELAB_TLS_KEY?.trim() || undefined,
    folder: path.join(dataDirectory, "tls"),
    hostNames: defaultHostNames((environment.KUBELAB_TLS_HOSTNAMES ?? "").split(",")),
    now: Date.now(),
  });
  const listener = await startClusterApiTlsListener(host, {
    port,
    hostname: environment.KUBELAB_HOST || undefined,
    certificate,
  });
  setClusterApiTls({
    port: listener.port,
    certificateAuthorityPem: selfSigned ? certificate.certificatePem : undefined,
  });
  console.log(
    `hosting: learners' clusters over TLS at https://<host>:${listener.port}/clusters/<id> (${selfSigned ? "self-signed certificate, trusted by downloaded kubeconfigs" : "certificate from KUBELAB_TLS_CERT"})`,
  );
  return {
    port: listener.port,
    close: async () => {
      setClusterApiTls(undefined);
      await listener.close();
    },
  };
}
