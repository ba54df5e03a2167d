import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ApiServer } from "../../apiserver/ApiServer";
import { httpApiServerOf } from "../../apiserver/http/adapter";
import { createHttpHandler } from "../../apiserver/http/createHttpHandler";
import type { Clock } from "../../clock/Clock";
import type { Speed } from "../../cluster/Component";
import { renderKubeconfig } from "./kubeconfig";
import { type StandaloneServer, startStandaloneServer } from "./StandaloneServer";
import { createServingCertificate, type ServingCertificate } from "./selfSignedCertificate";
import { bearerTokenAuthenticator, clientCertificateAuthenticator } from "./serveHttp";
import { standaloneClock } from "./standaloneClock";

/** What `kubelab cluster up` starts: a running cluster with its API server. */
export interface RunningCluster {
  apiServer: ApiServer;
  /** The CA client certificates must be signed by (the control plane's /etc/kubernetes/pki/ca.crt). */
  clientCa?(): Promise<string | undefined>;
  /** Resolves when the cluster has finished booting (nodes registered, system objects created). */
  ready?: Promise<void>;
  stop(): void | Promise<void>;
}

export interface ClusterUpOptions {
  port: number;
  kubeconfigPath: string;
  nodes?: number;
  speed: Speed;
  dataDir?: string;
  /** Boots the cluster (engine/cluster's createCluster in the CLI). */
  startCluster(options: {
    clock: Clock;
    speed: Speed;
    nodes?: number;
    dataDir?: string;
  }): RunningCluster | Promise<RunningCluster>;
  log?: (line: string) => void;
}

export interface ClusterUp {
  server: StandaloneServer;
  cluster: RunningCluster;
  token: string;
  stop(): Promise<void>;
}

/** Loads the token and certificate from `dataDir` (so kubeconfigs survive restarts), or creates them. */
function credentials(dataDir: string | undefined, now: number): { token: string; certificate: ServingCertificate } {
  const fresh = () => ({ token: randomBytes(24).toString("hex"), certificate: createServingCertificate(now) });
  if (!dataDir) return fresh();
  const folder = path.join(dataDir, "pki");
  const tokenFile = path.join(folder, "token");
  const certificateFile = path.join(folder, "apiserver.crt");
  const keyFile = path.join(folder, "apiserver.key");
  if (existsSync(tokenFile) && existsSync(certificateFile) && existsSync(keyFile)) {
    return {
      token: readFileSync(tokenFile, "utf8").trim(),
      certificate: {
        certificatePem: readFileSync(certificateFile, "utf8"),
        privateKeyPem: readFileSync(keyFile, "utf8"),
      },
    };
  }
  const created = fresh();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeFileSync(tokenFile, `${created.token}\n`, { mode: 0o600 });
  writeFileSync(certificateFile, created.certificate.certificatePem);
  writeFileSync(keyFile, created.certificate.privateKeyPem, { mode: 0o600 });
  return created;
}

/** The cluster's client CA, read again at most every 10 s (a learner may replace the file). */
function cachedClientCa(cluster: RunningCluster, clock: Clock): () => Promise<string | undefined> {
  let cached: { at: number; pem: Promise<string | undefined> } | undefined;
  return () => {
    if (!cached || clock.now() - cached.at > 10_000)
      cached = { at: clock.now(), pem: cluster.clientCa?.().catch(() => undefined) ?? Promise.resolve(undefined) };
    return cached.pem;
  };
}

/**
 * Starts a cluster and serves its API on 127.0.0.1 over HTTPS with a bearer token, writing a
 * kubeconfig for it. kubectl sends tokens only over TLS, so the server is HTTPS with a
 * self-signed certificate that the kubeconfig trusts.
 */
export async function runClusterUp(options: ClusterUpOptions): Promise<ClusterUp> {
  const log = options.log ?? (() => {});
  const clock = standaloneClock(log);
  const { token, certificate } = credentials(options.dataDir, clock.now());
  const cluster = await options.startCluster({
    clock,
    speed: options.speed,
    nodes: options.nodes,
    dataDir: options.dataDir,
  });
  let ready = cluster.ready === undefined;
  cluster.ready?.then(
    () => {
      ready = true;
    },
    (error) => log(`cluster failed to start: ${error instanceof Error ? error.message : String(error)}`),
  );
  const { schemaComponents } = await import("../../apiserver/resources/schema/schemas");
  const handler = createHttpHandler(httpApiServerOf(cluster.apiServer, schemaComponents), {
    clock,
    isReady: () => ready,
    spdyPortForward: true,
    serverAddress: `127.0.0.1:${options.port}`,
  });
  let server: StandaloneServer;
  try {
    server = await startStandaloneServer({
      handler,
      authenticate: clientCertificateAuthenticator(
        cachedClientCa(cluster, clock),
        () => clock.now(),
        bearerTokenAuthenticator(token, undefined, (bearer) => cluster.apiServer.authenticateToken(bearer)),
      ),
      certificate,
      port: options.port,
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const kubeconfig = renderKubeconfig({
    server: server.url,
    token,
    certificateAuthorityPem: certificate.certificatePem,
  });
  mkdirSync(path.dirname(path.resolve(options.kubeconfigPath)), { recursive: true });
  writeFileSync(options.kubeconfigPath, kubeconfig, { mode: 0o600 });
  return {
    server,
    cluster,
    token,
    async stop() {
      await server.close();
      await cluster.stop();
    },
  };
}
