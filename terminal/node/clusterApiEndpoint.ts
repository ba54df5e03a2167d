import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import type { RequestOptions } from "node:https";
import { clientCertificateIdentity } from "../../engine/pki";
import type { Connection } from "../kubectl/kubeconfig";
import type { NodeBackend } from "./NodeBackend";

/** The credentials a kubeconfig's user entry holds. */
export interface ClientCredentials {
  certificate?: Buffer;
  key?: Buffer;
  token?: string;
}

/**
 * The cluster's API server as a node reaches it: `https://<control-plane IP or name>:6443` (what
 * kubeadm writes into admin.conf, scheduler.conf, kubelet.conf …) and the `kubernetes` Service
 * (`https://10.96.0.1`). The shell cannot open those addresses (they live in the simulated network),
 * so a kubeconfig that names one is carried over the shell's own connection to the cluster.
 *
 * Authentication is kube-apiserver's x509 authenticator, done here as an authenticating proxy would
 * do it: the client certificate must be signed by the CA in the control plane's
 * /etc/kubernetes/pki/ca.crt (the apiserver's --client-ca-file), be within its validity and match
 * the key; its CN is the user and its O entries the groups. The request then goes out with the
 * shell's own credentials and impersonation headers for that identity, so the API server
 * authorizes it (RBAC, `kubectl auth whoami`) as the file's user. A certificate that does not pass
 * gets a credential the API server refuses, so kubectl answers `Unauthorized` as it would. This is
 * realism, not a security boundary: the shell already holds the cluster's admin credential.
 *
 * The shell's own cluster entry with a client-certificate user (the CKA's "create a user" path:
 * a CSR approved, its certificate in the kubeconfig) is carried the same way.
 *
 * Why not real client-certificate TLS: the hosted cluster is served over plain HTTP behind the
 * app's origin and the standalone one over TLS on its own port, neither at the node's address, so
 * the shell has to re-route the request anyway; re-routing with impersonation works for both
 * without a second authenticator in each host.
 */
export class ClusterApiEndpoint {
  constructor(
    private readonly nodes: NodeBackend,
    /** The shell's own connection to its cluster (from the kubeconfig it was started with). */
    private readonly ownConnection: () => Promise<Connection>,
  ) {}

  /**
   * For `connection` (what the kubeconfig says) to the cluster's API server as seen from a node, a
   * connection that reaches it; else undefined. The kubeconfig's own headers (`--as` impersonation)
   * are kept; its TLS settings are for an address the shell does not dial and are dropped.
   */
  async connect(connection: Connection, credentials: ClientCredentials): Promise<Connection | undefined> {
    const controlPlane =
      (await this.controlPlaneFor(connection.server)) ?? (await this.ownServerWithCertificate(connection, credentials));
    if (!controlPlane) return undefined;
    const own = await this.ownConnection();
    const identity = credentials.certificate
      ? await this.authenticate(controlPlane, credentials.certificate, credentials.key)
      : undefined;
    return {
      server: own.server,
      key: `${own.key}|${connection.key}|${identity ? [identity.user, ...identity.groups].join(",") : "-"}`,
      async apply(options) {
        const requested: RequestOptions = {};
        await connection.apply(requested);
        const { Authorization: _authorization, ...kubeconfigHeaders } = (requested.headers ?? {}) as Record<
          string,
          string | string[]
        >;
        await own.apply(options);
        const headers = { ...(options.headers ?? {}) } as Record<string, string | string[]>;
        if (identity) {
          headers["Impersonate-User"] = identity.user;
          if (identity.groups.length > 0) headers["Impersonate-Group"] = identity.groups;
          else delete headers["Impersonate-Group"];
          // --as on top of the file's user: that user is asked for instead (allowed to the admins).
          if (kubeconfigHeaders["Impersonate-User"]) delete headers["Impersonate-Group"];
          Object.assign(headers, kubeconfigHeaders);
        } else {
          // A token is checked by the API server itself; no usable credential at all is anonymous,
          // which the cluster refuses (kubectl: "You must be logged in to the server (Unauthorized)").
          headers.Authorization = `Bearer ${credentials.token ?? "-"}`;
        }
        options.headers = headers;
      },
    };
  }

  /**
   * The control plane, when `connection` is a client-certificate user of the shell's own cluster
   * entry (`kubectl config set-credentials jane --client-certificate=jane.crt …` then a context
   * with the learner's cluster): the shell's own address is plain HTTP or carries its own token,
   * so the certificate is checked here as for a node address. A token beside the certificate is
   * left to the API server, as client-go sends both and the token authenticates.
   */
  private async ownServerWithCertificate(
    connection: Connection,
    credentials: ClientCredentials,
  ): Promise<string | undefined> {
    if (!credentials.certificate || credentials.token) return undefined;
    const own = await this.ownConnection();
    if (connection.server.replace(/\/+$/, "") !== own.server.replace(/\/+$/, "")) return undefined;
    const nodes = await this.nodes.nodes().catch(() => []);
    return nodes.find((node) => node.role === "control-plane")?.name;
  }

  /** The control plane node `server` addresses, if any. */
  private async controlPlaneFor(server: string): Promise<string | undefined> {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return undefined;
    }
    if (url.protocol !== "https:") return undefined;
    const port = url.port === "" ? 443 : Number(url.port);
    const nodes = await this.nodes.nodes().catch(() => []);
    const controlPlane = nodes.find((node) => node.role === "control-plane");
    if (!controlPlane) return undefined;
    const host = url.hostname;
    if (
      port === 6443 &&
      nodes.some((node) => node.role === "control-plane" && (node.ip === host || node.name === host))
    )
      return controlPlane.name;
    if (port === 443 && (host === "10.96.0.1" || host === "kubernetes.default.svc" || host === "kubernetes.default"))
      return controlPlane.name;
    return undefined;
  }

  private async authenticate(
    controlPlane: string,
    certificatePem: Buffer,
    keyPem: Buffer | undefined,
  ): Promise<{ user: string; groups: string[] } | undefined> {
    const caPem = await this.nodes.readFile(controlPlane, "/etc/kubernetes/pki/ca.crt").catch(() => undefined);
    return caPem ? verifyClientCertificate(caPem, certificatePem, keyPem, Date.now()) : undefined;
  }
}

/**
 * kube-apiserver's x509 authentication of a client certificate against `caPem`: the identity it
 * names (CN → user, O → groups), or undefined when the certificate is not signed by the CA, is
 * outside its validity, or does not match the private key.
 */
export function verifyClientCertificate(
  caPem: string | Buffer,
  certificatePem: string | Buffer,
  keyPem: string | Buffer | undefined,
  nowMs: number,
): { user: string; groups: string[] } | undefined {
  if (!keyPem) return undefined;
  try {
    const certificate = new X509Certificate(certificatePem);
    const derived = createPublicKey(createPrivateKey(keyPem)).export({ type: "spki", format: "der" });
    if (!derived.equals(certificate.publicKey.export({ type: "spki", format: "der" }))) return undefined;
    // The subject is read from its DER: several O in one RDN (as Go writes them) are each a group.
    return clientCertificateIdentity(certificate.raw, caPem, nowMs);
  } catch {
    return undefined;
  }
}
