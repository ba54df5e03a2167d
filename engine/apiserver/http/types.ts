import type { Clock } from "../../clock/Clock";
import type { AuthorizationAttributes, AuthorizationDecision } from "../auth/rbacAuthorizer";
import type { KubeletConnection, StreamSession } from "../KubeletConnection";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse, UserInfo, WatchListener } from "../ResourceRequest";

/**
 * One HTTP request as the handler needs it, independent of the transport: node:http in the
 * standalone server, the app server's router when a learner's cluster is mounted under a prefix.
 * The transport has already authenticated the caller and read the body (with the 3 MiB limit).
 */
export interface HttpRequest {
  method: string;
  /** Path and query as sent: `/api/v1/namespaces/default/pods?limit=500`. */
  url: string;
  /** Lower-case header names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  user: UserInfo;
}

/**
 * What the handler writes to: the subset of node's `ServerResponse` it uses, so a ServerResponse
 * can be passed as is. `close` fires when the client goes away (ends watches and log follows).
 */
export interface HttpResponseWriter {
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  write(chunk: string | Uint8Array): unknown;
  end(chunk?: string | Uint8Array): unknown;
  on(event: "close", listener: () => void): unknown;
  /** Sends buffered headers and data now (node's `flushHeaders`); optional. */
  flushHeaders?(): void;
}

/**
 * A message-based socket, the engine's view of a WebSocket after the handshake: binary or text
 * messages in both directions. engine/host implements it over the `ws` package; the engine never
 * imports `ws`.
 */
export interface MessageSocket {
  /** The subprotocol agreed in the handshake (`v5.channel.k8s.io` …). */
  readonly protocol: string;
  send(data: Uint8Array | string): void;
  /** Closes the socket (normal closure unless given). */
  close(code?: number, reason?: string): void;
  onMessage(listener: (data: Uint8Array, isBinary: boolean) => void): void;
  onClose(listener: () => void): void;
}

/** An upgrade the handler accepts: the transport completes the handshake with `protocol` and calls `start`. */
export interface UpgradeAcceptance {
  protocol: string;
  start(socket: MessageSocket): void;
  /** Abandons the accepted upgrade before `start` (the transport could not complete it). */
  cancel?(): void;
  /**
   * For port-forward over tunneled SPDY (`SPDY/3.1+portforward.k8s.io`), which the transport
   * speaks itself (it needs zlib): opens a byte stream to a port of the pod.
   */
  openPort?(port: number): StreamSession;
}

/**
 * What the HTTP surface needs from the API server: the request pipeline, watches, the served
 * resources (CRDs included, at the moment of the call) and a way to reach a node's kubelet.
 */
export interface HttpApiServer {
  handle(request: ResourceRequest): Promise<ResourceResponse>;
  /**
   * Starts a watch; `onClose` fires when the server ends it (an ERROR event, such as a 410, is
   * delivered to `listener` first). Returns a disposer.
   */
  watch(request: ResourceRequest, listener: WatchListener, onClose?: (error?: Error) => void): () => void;
  /** Every resource served now, CRD-defined ones included. */
  definitions(): readonly ResourceDefinition[];
  /** The kubelet of `nodeName`, or undefined when none is registered (the dial fails). */
  kubelet?(nodeName: string): KubeletConnection | undefined;
  /** RBAC's decision, for impersonation (`kubectl --as`); absent: impersonation headers are ignored. */
  authorize?(attributes: AuthorizationAttributes): AuthorizationDecision;
}

export interface HttpHandlerOptions {
  clock: Clock;
  /** Mount point, without a trailing slash: `/clusters/abc`. Requests outside it get a 404. */
  pathPrefix?: string;
  /** `gitVersion` reported by /version; defaults to v1.32.4. */
  gitVersion?: string;
  /** The server address published in /api's serverAddressByClientCIDRs. */
  serverAddress?: string;
  /** Produces Audit-Id values; defaults to crypto.randomUUID. */
  newId?: () => string;
  /** The transport serves port-forward over tunneled SPDY (kubectl ≥ 1.31) given `openPort`. */
  spdyPortForward?: boolean;
  /** False until the cluster has finished starting: /readyz then fails. Defaults to always ready. */
  isReady?: () => boolean;
}
