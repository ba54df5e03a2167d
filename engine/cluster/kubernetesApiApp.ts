import { X509Certificate } from "node:crypto";
import type { Status } from "../api/types";
import { ApiError } from "../apiserver/ApiError";
import type { ApiServer } from "../apiserver/ApiServer";
import { httpApiServerOf } from "../apiserver/http/adapter";
import { createHttpHandler, type HttpHandler } from "../apiserver/http/createHttpHandler";
import { parseRequestInfo } from "../apiserver/http/requestInfo";
import type { HttpResponseWriter } from "../apiserver/http/types";
import type { UserInfo } from "../apiserver/ResourceRequest";
import type { Clock } from "../clock/Clock";
import type { HttpRequest, HttpResponse, PresentedCertificate, TlsServer } from "../proxy/Network";
import type { KubernetesApiApp } from "../runtime";
import { CONTROL_PLANE_IP } from "./bootstrap";

/** kube-apiserver's `--anonymous-auth=true` (kubeadm's default): a request without credentials. */
export const ANONYMOUS_USER: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

/** Who asks the authorizer about non-resource paths: the API server itself. */
const API_SERVER_USER: UserInfo = { username: "system:apiserver", groups: ["system:masters"] };

/**
 * The names kubeadm's apiserver.crt carries (certs/apiserver: the node's name, the `kubernetes`
 * Service's names and ClusterIP, the advertise address), which curl checks the URL's host against.
 */
export function servingCertificateNames(controlPlaneNode: string): string[] {
  return [
    controlPlaneNode,
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "10.96.0.1",
    CONTROL_PLANE_IP,
  ];
}

export interface KubernetesApiAppOptions {
  clock: Clock;
  controlPlaneNode: string;
  /**
   * The cluster CA that signs the serving certificate: the control plane's /etc/kubernetes/pki/ca.crt,
   * which pods mount as ca.crt (read when a client checks; undefined: a learner removed it).
   */
  certificateAuthority(): Promise<string | undefined>;
  /** kube-apiserver's --tls-cert-file: the control plane's /etc/kubernetes/pki/apiserver.crt as it is now. */
  servingCertificate?(): Promise<string | undefined>;
}

/**
 * The cluster's API server as kube-apiserver's secure port answers the simulated network (a pod's
 * `curl https://kubernetes.default/...`): the bearer token is checked by the service-account
 * token authenticator (any other token: 401), no token is `system:anonymous`, non-resource paths
 * are authorized as RBAC does (system:public-info-viewer lets anyone read /version and /healthz),
 * and the request then goes to the same HTTP handler as kubectl's. JSON answers are indented for
 * curl, wget and browsers, as the real server's content negotiation does.
 */
export function createKubernetesApiApp(apiServer: ApiServer, options: KubernetesApiAppOptions): KubernetesApiApp {
  let handler: Promise<HttpHandler> | undefined;
  // The OpenAPI schemas are large: loaded when a pod first calls the API, as the hosts load them.
  const httpHandler = () => {
    handler ??= import("../apiserver/resources/schema/schemas").then(({ schemaComponents }) =>
      createHttpHandler(httpApiServerOf(apiServer, schemaComponents), {
        clock: options.clock,
        serverAddress: `${CONTROL_PLANE_IP}:6443`,
      }),
    );
    return handler;
  };
  const tls: TlsServer = {
    names: servingCertificateNames(options.controlPlaneNode),
    issuers: async () => {
      const ca = await options.certificateAuthority();
      return ca === undefined ? [] : [ca];
    },
    certificate: async () => presented(await options.servingCertificate?.()),
  };
  return {
    tls,
    async http(request) {
      const pretty = prettyPrints(request);
      const user = authenticate(apiServer, request);
      if (!user) return statusResponse(ApiError.unauthorized().toStatus(), options.clock, pretty);
      const forbidden = forbiddenPath(apiServer, request, user);
      if (forbidden) return statusResponse(forbidden, options.clock, pretty);
      return serve(await httpHandler(), request, user, options.clock, pretty);
    },
  };
}

/** What a TLS client's verification sees of the PEM certificate kube-apiserver serves; undefined when it does not parse. */
function presented(pem: string | undefined): PresentedCertificate | undefined {
  if (pem === undefined) return undefined;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const signedBy = (authority: X509Certificate) =>
    certificate.checkIssued(authority) && certificate.verify(authority.publicKey);
  return {
    names: (certificate.subjectAltName ?? "").split(", ").map((name) => name.replace(/^(DNS|IP Address):/, "")),
    selfSigned: signedBy(certificate),
    signedBy(caPem) {
      try {
        return signedBy(new X509Certificate(caPem));
      } catch {
        return false;
      }
    },
  };
}

function headerOf(request: HttpRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/**
 * kube-apiserver's authentication: a bearer token must be one the service-account authenticator
 * accepts (the bearer-token filter turns "not recognized" into 401); no token at all is anonymous.
 * Undefined: 401.
 */
function authenticate(apiServer: ApiServer, request: HttpRequest): UserInfo | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headerOf(request, "authorization")?.trim() ?? "");
  if (!match) return ANONYMOUS_USER;
  return apiServer.authenticateToken(match[1].trim());
}

/**
 * The authorization filter for paths that are not resources (`/api`, `/version`, `/metrics`):
 * the RBAC rules with nonResourceURLs, asked as a SubjectAccessReview. Resource requests are
 * authorized by the pipeline. Undefined: allowed.
 */
function forbiddenPath(apiServer: ApiServer, request: HttpRequest, user: UserInfo): Status | undefined {
  const question = request.path.indexOf("?");
  const path = question < 0 ? request.path : request.path.slice(0, question);
  const info = parseRequestInfo(
    request.method,
    path,
    new URLSearchParams(question < 0 ? "" : request.path.slice(question + 1)),
  );
  if (info.isResourceRequest) return undefined;
  const verb = request.method.toLowerCase();
  const { body } = apiServer.execute({
    verb: "create",
    gvr: { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews" },
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: user.username,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        nonResourceAttributes: { verb, path },
      },
    },
    options: {},
    user: API_SERVER_USER,
  });
  if ((body as { status?: { allowed?: boolean } }).status?.allowed) return undefined;
  // responsewriters.forbiddenMessage for a non-resource request; NewForbidden with no resource.
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `forbidden: User ${JSON.stringify(user.username)} cannot ${verb} path ${JSON.stringify(path)}`,
    reason: "Forbidden",
    details: {},
    code: 403,
  };
}

/**
 * The real server's negotiation pretty-prints JSON for `?pretty=true`, and by default for user
 * agents starting with curl, Wget or Mozilla/5.0 (negotiate.go's isPrettyPrint).
 */
function prettyPrints(request: HttpRequest): boolean {
  const question = request.path.indexOf("?");
  const pretty = question < 0 ? null : new URLSearchParams(request.path.slice(question + 1)).get("pretty");
  if (pretty) return pretty === "true" || pretty === "1" || pretty === "True" || pretty === "TRUE" || pretty === "t";
  return /^(curl|Wget|Mozilla\/5\.0)/.test(headerOf(request, "user-agent") ?? "");
}

/** metav1.Status's fields in the order of its Go struct, which json.Marshal follows. */
const STATUS_FIELDS = ["kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"];

/** An object's fields with its TypeMeta first, as Go's structs embed it: kind, then apiVersion. */
function typeMetaFirst(value: unknown, fields = ["kind", "apiVersion"]): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  if (typeof object.kind !== "string") return value;
  const ordered: Record<string, unknown> = {};
  for (const field of fields) if (field in object) ordered[field] = object[field];
  return { ...ordered, ...object };
}

/** A response in Go's field order where ours differs: a Status, a list and its items (TypeMeta first). */
function inGoOrder(value: unknown): unknown {
  const object = value as Record<string, unknown> | null;
  if (object?.kind === "Status") return typeMetaFirst(object, STATUS_FIELDS);
  const ordered = typeMetaFirst(value) as Record<string, unknown> | null;
  if (ordered && Array.isArray(ordered.items)) ordered.items = ordered.items.map((item) => typeMetaFirst(item));
  return ordered;
}

/**
 * JSON as the pretty serializer writes it: json.MarshalIndent with two spaces and no final
 * newline, Go's HTML-safe escapes kept. Anything that is not one JSON document stays as it is.
 */
function indented(body: string): string {
  try {
    return JSON.stringify(inGoOrder(JSON.parse(body)), null, 2).replace(
      /[<>&\u2028\u2029]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  } catch {
    return body;
  }
}

function statusResponse(status: Status, clock: Clock, pretty: boolean): HttpResponse {
  const body = pretty ? indented(JSON.stringify(status)) : `${JSON.stringify(status)}\n`;
  return {
    status: status.code ?? 500,
    headers: {
      "Audit-Id": crypto.randomUUID(),
      "Cache-Control": "no-cache, private",
      "Content-Type": "application/json",
      Date: new Date(clock.now()).toUTCString(),
      "Content-Length": String(new TextEncoder().encode(body).length),
    },
    body,
  };
}

/**
 * One request through the HTTP handler, its answer collected whole. A watch goes on until its
 * timeout or until the client gives up (`request.signal`: Ctrl-C, curl's --max-time), which
 * ends it as a closed connection does.
 */
function serve(
  handler: HttpHandler,
  request: HttpRequest,
  user: UserInfo,
  clock: Clock,
  pretty: boolean,
): Promise<HttpResponse> {
  return new Promise((resolve) => {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const closeListeners: Array<() => void> = [];
    let status = 200;
    let headers: Record<string, string> = {};
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const text = chunks.join("") + decoder.decode();
      const json = (headers["Content-Type"] ?? "").startsWith("application/json");
      const body = pretty && json ? indented(text) : text;
      resolve({
        status,
        headers: {
          ...headers,
          Date: new Date(clock.now()).toUTCString(),
          "Content-Length": String(new TextEncoder().encode(body).length),
        },
        body,
      });
    };
    const append = (chunk: string | Uint8Array | undefined) => {
      if (chunk === undefined) return;
      chunks.push(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
    };
    const writer: HttpResponseWriter = {
      writeHead(code, written) {
        status = code;
        headers = Object.fromEntries(
          Object.entries(written).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]),
        );
      },
      write: append,
      end(chunk) {
        append(chunk);
        finish();
      },
      on(_event, listener) {
        closeListeners.push(listener);
      },
    };
    request.signal?.addEventListener(
      "abort",
      () => {
        for (const listener of closeListeners) listener();
        finish();
      },
      { once: true },
    );
    void handler.handle(
      {
        method: request.method.toUpperCase(),
        url: request.path,
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
        ),
        body: new TextEncoder().encode(request.body ?? ""),
        user,
      },
      writer,
    );
  });
}
