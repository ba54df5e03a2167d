/**
 * The simulated network of one cluster. Containers' apps listen on their pod IP; clients in
 * containers (curl, wget, nslookup) and on nodes connect to an IP or a name and port. kube-proxy's
 * rules (engine/proxy) translate Service IPs and NodePorts to a ready endpoint, cluster DNS
 * resolves names as CoreDNS would, and a missing listener is "connection refused" while an
 * unrouteable address times out — as on a real network.
 *
 * The kubelet/runtime side (engine/kubelet, engine/runtime) registers listeners for the apps the
 * image catalog says a container serves; the proxy side (engine/proxy) implements routing and DNS.
 */
export interface Network {
  /** An app starts listening on `ip:port` (TCP). Returns a disposer called when the container stops. */
  listen(ip: string, port: number, handler: ConnectionHandler): () => void;
  /**
   * Connects from `source` to `host:port`. `host` may be an IP or a DNS name, resolved with the
   * source's resolver configuration (search domains, ndots). Rejects with a NetworkError.
   */
  connect(source: NetworkSource, host: string, port: number, options?: ConnectOptions): Promise<Connection>;
  /** DNS lookup as CoreDNS answers it for this source: A records (IPs) or NXDOMAIN. */
  resolve(source: NetworkSource, name: string): Promise<DnsAnswer>;
  /**
   * kube-proxy's rules as one node's kernel holds them, for `iptables-save` and `iptables -L` in
   * that node's shell or in its kube-proxy pod (whose image ships iptables). Optional: test
   * networks may lack it; engine/proxy's network always has it.
   */
  iptables?(nodeName: string): NodeIptables;
  /**
   * Calls `callback` whenever what a connection to a pod can reach may have changed: a listener
   * opened or closed, a NetworkPolicy changed. The kubelet's prober sleeps through steady probes
   * and wakes on this. Returns a disposer. Optional: without it probes simply run every period.
   */
  onReachabilityChanged?(callback: () => void): () => void;
}

/** One node's iptables, as the commands print it. */
export interface NodeIptables {
  /** `iptables-save` (filter and nat tables). */
  save(): string;
  /** `iptables [-t table] -L [chain] -n`. */
  list(table?: "filter" | "nat", chain?: string): string;
}

/** Optional knobs of {@link Network.connect}. */
export interface ConnectOptions {
  /**
   * How long an unanswered connection attempt (an unroutable address, a dropped packet) waits
   * before failing with `Timeout`, in clock milliseconds. Default: about 130 s, Linux's SYN
   * retries; curl's `--connect-timeout` or `-m` pass their own.
   */
  timeoutMs?: number;
}

/** Where a connection starts: a pod (its IP, namespace and resolv.conf) or a node's host network. */
export interface NetworkSource {
  ip: string;
  /** The namespace of the pod, for DNS search domains; absent for node shells. */
  namespace?: string;
  /** resolv.conf as the kubelet wrote it for this pod (nameserver, search, ndots). */
  resolvConf?: { nameservers: string[]; searches: string[]; ndots: number };
}

export interface DnsAnswer {
  /** The fully qualified name that matched, e.g. `web.default.svc.cluster.local`. */
  name: string;
  addresses: string[];
  /** For `nslookup`: the server that answered (10.96.0.10). */
  server: string;
  /** For an ExternalName service: the canonical name the CNAME points to (`nslookup` prints it). */
  cname?: string;
}

/** An app's side of the network: it handles one HTTP request or a raw byte conversation. */
export interface ConnectionHandler {
  /** HTTP apps answer requests; the client side uses `Connection.http`. */
  http?(request: HttpRequest, peer: { ip: string; port: number }): Promise<HttpResponse> | HttpResponse;
  /** Raw TCP apps (redis, postgres …) answer bytes; optional. */
  tcp?(data: Uint8Array, peer: { ip: string; port: number }): Promise<Uint8Array> | Uint8Array;
  /** Set when the app serves TLS on this port: what a client's handshake sees. */
  tls?: TlsServer;
}

/**
 * The serving certificate of a TLS port as a client's handshake checks it. No bytes are
 * encrypted in the simulation: a client that speaks TLS (curl with `https://`) verifies these
 * facts as OpenSSL would verify the chain, then sends its request with `tls: true`.
 */
export interface TlsServer {
  /** The certificate's subject alternative names: DNS names and IP addresses. */
  names: readonly string[];
  /**
   * The CA certificates (PEM) that verify the chain the server sends; empty for a certificate
   * the program generated for itself in memory (kube-controller-manager's, kube-scheduler's).
   */
  issuers(): Promise<readonly string[]>;
  /**
   * The certificate the program presents from its file (kube-apiserver's --tls-cert-file), when it
   * does: a client then checks its SANs and signature instead of `names` and `issuers`. Undefined:
   * the file is gone or unreadable, and the facts above stand.
   */
  certificate?(): Promise<PresentedCertificate | undefined>;
}

/** A served certificate as a TLS client's verification sees it. */
export interface PresentedCertificate {
  /** Its subject alternative names: DNS names and IP addresses. */
  names: readonly string[];
  selfSigned: boolean;
  /** Whether the CA certificate `caPem` signed it. */
  signedBy(caPem: string): boolean;
}

export interface Connection {
  /** The address actually reached after kube-proxy's translation (pod IP and target port). */
  remote: { ip: string; port: number };
  http(request: HttpRequest): Promise<HttpResponse>;
  tcp(data: Uint8Array): Promise<Uint8Array>;
  close(): void;
  /** The listener's TLS certificate, when it serves TLS ({@link ConnectionHandler.tls}). */
  tls?: TlsServer;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The client spoke TLS (`https://`, an HTTPS probe); a TLS port answers plain HTTP with a 400. */
  tls?: boolean;
  /**
   * Aborted when the client gives up (Ctrl-C, `--max-time`): a server still streaming the answer
   * (a watch) stops and frees what it holds.
   */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * The reason phrase of the status line when the app's server words it differently from the
   * standard one ({@link reasonPhrase}): nginx sends `405 Not Allowed`.
   */
  reason?: string;
  /**
   * Set by an app when the same request would get the same status for as long as the app keeps
   * listening, and answering it left no trace (no access log line, no file read, no load): fixed
   * routes such as kube-apiserver's `/readyz`. The prober need not repeat such a request until
   * {@link Network.onReachabilityChanged} fires.
   */
  repeatable?: boolean;
}

/** What a client tool prints when a connection fails, with curl's exit code. */
export class NetworkError extends Error {
  constructor(
    readonly code: "ConnectionRefused" | "Timeout" | "NoRoute" | "NameNotResolved" | "EmptyReply",
    message: string,
  ) {
    super(message);
    this.name = "NetworkError";
  }
}
