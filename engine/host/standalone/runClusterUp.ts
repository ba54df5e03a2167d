import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ApiServer } from "../../apiserver/ApiServer";
import { httpApiServerOf } from "../../apiserver/http/adapter";
import { createHttpHandler } from "../../apiserver/http/createHttpHandler";
import type { Clock } from "../../clock/Clock";
import type { Speed } from "../../cluster/Component";
import { servingCertificateNames } from "../../cluster/kubernetesApiApp";
import { apiServerCertificate } from "../../kubelet/kubeadmPki";
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
  /**
   * The cluster CA (the control plane's ca.crt and ca.key) that signs the serving certificate, as
   * kubeadm's does apiserver.crt; without it (or without its key) the certificate is self-signed.
   */
  certificateAuthority?(): Promise<{ certificatePem?: string; privateKeyPem?: string }>;
  /** Resolves when the cluster has finished booting (nodes registered, system objects created). */
  ready?: Promise<void>;
  /**
   * Whether kube-apiserver (over etcd) runs on the control plane (engine/cluster's
   * ControlPlaneStatus): while it does not, the port refuses connections.
   */
  controlPlane?: { apiReachable(): boolean; subscribe(listener: () => void): () => void };
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
  /** Resolves when the cluster counts as up (/readyz `ok`): booted, its control plane's static pods Ready. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Loads the token from `dataDir` (so kubeconfigs survive restarts), or creates it. */
function loadToken(dataDir: string | undefined): string {
  const fresh = randomBytes(24).toString("hex");
  if (!dataDir) return fresh;
  const folder = path.join(dataDir, "pki");
  const tokenFile = path.join(folder, "token");
  if (existsSync(tokenFile)) return readFileSync(tokenFile, "utf8").trim();
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeFileSync(tokenFile, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

/** The names `cluster up`'s certificate carries: kube-apiserver's (kubeadm's apiserver.crt) and the loopback it listens on. */
const SERVING_NAMES = [...servingCertificateNames("controlplane"), "127.0.0.1", "localhost"];

/** Whether `certificate` is one `ca` signed, valid at `now`, for every name the server answers to. */
function servesWith(certificate: ServingCertificate, ca: string | undefined, now: number): boolean {
  try {
    const served = new X509Certificate(certificate.certificatePem);
    const authority = new X509Certificate(ca ?? certificate.certificatePem);
    const names = new Set((served.subjectAltName ?? "").split(", ").map((name) => name.replace(/^[^:]+:/, "")));
    return (
      served.checkIssued(authority) &&
      served.verify(authority.publicKey) &&
      Date.parse(served.validTo) > now &&
      (ca === undefined || SERVING_NAMES.every((name) => names.has(name)))
    );
  } catch {
    return false;
  }
}

/**
 * The serving certificate and the CA the kubeconfig trusts: one the cluster CA signed (kept in
 * `dataDir` across restarts while that CA still signs it), else, for a cluster without a CA key, a
 * self-signed one.
 */
async function servingCredentials(
  cluster: RunningCluster,
  dataDir: string | undefined,
  now: number,
): Promise<{ certificate: ServingCertificate; certificateAuthorityPem: string }> {
  const ca = await cluster.certificateAuthority?.().catch(() => undefined);
  const caPem = ca?.certificatePem !== undefined && ca.privateKeyPem !== undefined ? ca.certificatePem : undefined;
  const folder = dataDir ? path.join(dataDir, "pki") : undefined;
  const certificateFile = folder && path.join(folder, "apiserver.crt");
  const keyFile = folder && path.join(folder, "apiserver.key");
  if (certificateFile && keyFile && existsSync(certificateFile) && existsSync(keyFile)) {
    const saved = {
      certificatePem: readFileSync(certificateFile, "utf8"),
      privateKeyPem: readFileSync(keyFile, "utf8"),
    };
    if (servesWith(saved, caPem, now))
      return { certificate: saved, certificateAuthorityPem: caPem ?? saved.certificatePem };
  }
  const certificate =
    caPem !== undefined && ca?.privateKeyPem !== undefined
      ? apiServerCertificate({ certificatePem: caPem, privateKeyPem: ca.privateKeyPem }, SERVING_NAMES, now)
      : createServingCertificate(now);
  if (folder && certificateFile && keyFile) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(certificateFile, certificate.certificatePem);
    writeFileSync(keyFile, certificate.privateKeyPem, { mode: 0o600 });
  }
  return { certificate, certificateAuthorityPem: caPem ?? certificate.certificatePem };
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
 * kubeconfig for it. kubectl sends tokens only over TLS, so the server is HTTPS with a certificate
 * the cluster CA signed (as kubeadm's apiserver.crt), the CA the kubeconfig trusts, pods mount as
 * ca.crt and the control plane holds in /etc/kubernetes/pki/ca.crt.
 */
export async function runClusterUp(options: ClusterUpOptions): Promise<ClusterUp> {
  const log = options.log ?? (() => {});
  const clock = standaloneClock(log);
  const token = loadToken(options.dataDir);
  const cluster = await options.startCluster({
    clock,
    speed: options.speed,
    nodes: options.nodes,
    dataDir: options.dataDir,
  });
  let credentials: Awaited<ReturnType<typeof servingCredentials>>;
  try {
    credentials = await servingCredentials(cluster, options.dataDir, clock.now());
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const { certificate, certificateAuthorityPem } = credentials;
  let ready = cluster.ready === undefined;
  // As `kubeadm init` waits for the control plane ("[wait-control-plane]") before it returns, the
  // cluster counts as up (/readyz) once its static pods are Ready too.
  const up = (cluster.ready ?? Promise.resolve())
    .then(() => controlPlanePodsReady(cluster.apiServer, clock))
    .then(() => {
      ready = true;
    });
  up.catch((error) => log(`cluster failed to start: ${error instanceof Error ? error.message : String(error)}`));
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
  const stopRefusing = refuseWhileApiServerDown(cluster, server, log);
  const kubeconfig = renderKubeconfig({
    server: server.url,
    token,
    certificateAuthorityPem,
  });
  mkdirSync(path.dirname(path.resolve(options.kubeconfigPath)), { recursive: true });
  writeFileSync(options.kubeconfigPath, kubeconfig, { mode: 0o600 });
  return {
    server,
    cluster,
    token,
    ready: up,
    async stop() {
      stopRefusing();
      await server.close();
      await cluster.stop();
    },
  };
}

/** The control plane's static pods, as `kubeadm init` names them. */
const CONTROL_PLANE_PODS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map(
  (component) => `${component}-controlplane`,
);

/**
 * Resolves once the control plane's static (mirror) pods are Ready, or after 30 s: looked at every
 * 100 ms while the cluster starts, never after.
 */
async function controlPlanePodsReady(apiServer: RunningCluster["apiServer"], clock: Clock): Promise<void> {
  const isReady = (name: string) => {
    const pod = apiServer.getObject("", "pods", "kube-system", name) as
      | { status?: { conditions?: { type?: string; status?: string }[] } }
      | undefined;
    return pod?.status?.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True");
  };
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (CONTROL_PLANE_PODS.every(isReady)) return;
    await new Promise<void>((resolve) => clock.setTimer(100, resolve));
  }
}

/**
 * The API port follows kube-apiserver's static pod: while it (or etcd under it) is not running the
 * port is closed, so kubectl says "The connection to the server 127.0.0.1:PORT was refused - did
 * you specify the right host or port?" as against a kubeadm node; it listens again once it runs.
 */
function refuseWhileApiServerDown(cluster: RunningCluster, server: StandaloneServer, log: (line: string) => void) {
  const controlPlane = cluster.controlPlane;
  if (!controlPlane) return () => {};
  let applying = Promise.resolve();
  const follow = () => {
    applying = applying
      .then(() => server.accept(controlPlane.apiReachable()))
      .catch((error) => log(`API port: ${error instanceof Error ? error.message : String(error)}`));
  };
  const unsubscribe = controlPlane.subscribe(follow);
  follow();
  return unsubscribe;
}
