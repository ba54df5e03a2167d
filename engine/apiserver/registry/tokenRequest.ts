import type { KubeObject } from "../../api/types";
import { toRfc3339 } from "../../clock/Clock";
import { ApiError } from "../ApiError";
import type { ApiServerCore } from "../ApiServer";
import { API_AUDIENCES, signToken, tokenClaims } from "../auth/serviceAccountTokens";
import { isPlainObject } from "../patch/mergePatch";
import type { FieldError, ResourceDefinition } from "../ResourceDefinition";
import type { ResourceRequest, ResourceResponse } from "../ResourceRequest";

const GROUP = "authentication.k8s.io";

/** SetDefaults_TokenRequestSpec: an hour. */
const DEFAULT_EXPIRATION_SECONDS = 3600;

/** validation.MinTokenAgeSec. */
const MIN_EXPIRATION_SECONDS = 600;

/**
 * The kubelet's default projected-token lifetime (token.WarnOnlyBoundTokenExpirationSeconds): with
 * kube-apiserver's default --service-account-extend-token-expiration, such a pod-bound token for the
 * API server lives a year and only warns after 3607 s, so old clients that never re-read it go on
 * working.
 */
const WARN_ONLY_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;

interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/**
 * `serviceaccounts/token` (authentication.k8s.io/v1 TokenRequest), as upstream's TokenREST.Create:
 * the account must exist, the spec is defaulted and validated, a bound Pod, Secret or Node must exist
 * (with the uid given, when one is), and the answer carries a JWT signed by the cluster's key.
 * Nothing is stored (a dry run is answered alike, as upstream's TokenREST does).
 */
export function createToken(
  server: ApiServerCore,
  _definition: ResourceDefinition,
  request: ResourceRequest,
): ResourceResponse {
  if (request.verb !== "create") throw ApiError.methodNotSupported("", "serviceaccounts/token", request.verb);
  if (!isPlainObject(request.body)) throw ApiError.badRequest("the body of the request must be a JSON object");
  const body = request.body as KubeObject;
  const name = request.name ?? "";
  const namespace = request.namespace ?? "";
  const metadata = isPlainObject(body.metadata) ? body.metadata : ({} as KubeObject["metadata"]);
  mustMatch(name, metadata.name, "name", "name");
  mustMatch(name, metadata.namespace, "namespace", "namespace", namespace);
  const serviceAccount = server.readOrNotFound(
    server.definitionFor({ gvr: { group: "", version: "v1", resource: "serviceaccounts" } }),
    namespace,
    name,
  ).object;
  const spec = (isPlainObject(body.spec) ? body.spec : {}) as {
    audiences?: string[] | null;
    expirationSeconds?: number | null;
    boundObjectRef?: BoundObjectRef | null;
  };
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences : [...API_AUDIENCES];
  const expirationSeconds =
    typeof spec.expirationSeconds === "number" ? spec.expirationSeconds : DEFAULT_EXPIRATION_SECONDS;
  const errors = validateExpiration(expirationSeconds);
  if (errors.length > 0) throw ApiError.invalid(GROUP, "TokenRequest", "", errors);
  const bound = boundObjects(server, name, namespace, spec.boundObjectRef ?? undefined);
  const now = server.clock.now();
  const nowSeconds = Math.floor(now / 1000);
  // A pod's kubelet-default token for the API server: valid a year, warning after its lifetime.
  const extended =
    bound.pod !== undefined &&
    expirationSeconds === WARN_ONLY_EXPIRATION_SECONDS &&
    audiences.some((audience) => API_AUDIENCES.includes(audience));
  const claims = tokenClaims({
    serviceAccount,
    ...bound,
    audiences,
    nowSeconds,
    expirationSeconds: extended ? EXTENDED_EXPIRATION_SECONDS : expirationSeconds,
    jti: server.uuid(),
  });
  if (extended) claims["kubernetes.io"].warnafter = nowSeconds + expirationSeconds;
  const token = signToken(server.serviceAccountKey, claims);
  const response = {
    kind: "TokenRequest",
    apiVersion: `${GROUP}/v1`,
    metadata: { name, namespace, creationTimestamp: toRfc3339(now) },
    spec: {
      audiences,
      // The v1 type's fields are not omitempty: an unbound request answers `boundObjectRef: null`.
      boundObjectRef: spec.boundObjectRef ?? null,
      expirationSeconds,
    },
    status: { token, expirationTimestamp: toRfc3339(now + expirationSeconds * 1000) },
  };
  return { status: 201, body: response as unknown as KubeObject };
}

/** metadata.name/namespace in the body must be the URL's when given. */
function mustMatch(expected: string, given: unknown, field: string, what: string, actual = expected): void {
  if (given === undefined || given === null || given === "" || given === actual) return;
  throw ApiError.invalid(GROUP, "TokenRequest", expected, [
    {
      type: "FieldValueInvalid",
      field: `metadata.${field}`,
      badValue: given,
      detail: `must match the service account ${what} if specified`,
    },
  ]);
}

/** ValidateTokenRequest's bounds on the lifetime. */
function validateExpiration(seconds: number): FieldError[] {
  const errors: FieldError[] = [];
  if (seconds < MIN_EXPIRATION_SECONDS)
    errors.push({
      type: "FieldValueInvalid",
      field: "spec.expirationSeconds",
      badValue: seconds,
      detail: "may not specify a duration less than 10 minutes",
    });
  if (seconds > 2 ** 32)
    errors.push({
      type: "FieldValueInvalid",
      field: "spec.expirationSeconds",
      badValue: seconds,
      detail: "may not specify a duration larger than 2^32 seconds",
    });
  return errors;
}

/** The object a token is bound to (and a pod's node, which its claims name), checked as upstream. */
function boundObjects(
  server: ApiServerCore,
  serviceAccount: string,
  namespace: string,
  ref: BoundObjectRef | undefined,
): { pod?: KubeObject; secret?: KubeObject; node?: KubeObject } {
  if (!ref) return {};
  const [group, version] = (ref.apiVersion ?? "").includes("/")
    ? (ref.apiVersion ?? "").split("/", 2)
    : ["", ref.apiVersion ?? ""];
  const kind = ref.kind ?? "";
  const refName = ref.name ?? "";
  const read = (resource: string, inNamespace: string | undefined) => {
    const object = server.getObject("", resource, inNamespace, refName);
    if (!object) throw ApiError.notFound("", resource, refName);
    return object;
  };
  let bound: { pod?: KubeObject; secret?: KubeObject; node?: KubeObject };
  let uid: string | undefined;
  if (group === "" && kind === "Pod") {
    const pod = read("pods", namespace);
    const podAccount = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? "";
    if (podAccount !== serviceAccount)
      throw ApiError.badRequest(
        `cannot bind token for serviceaccount "${serviceAccount}" to pod running with serviceaccount "${podAccount}"`,
      );
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    // ServiceAccountTokenPodNodeInfo: the pod's node is named too, when it can be read.
    const node = nodeName ? server.getObject("", "nodes", undefined, nodeName) : undefined;
    bound = node ? { pod, node } : { pod };
    uid = pod.metadata.uid;
  } else if (group === "" && kind === "Node") {
    const node = read("nodes", undefined);
    bound = { node };
    uid = node.metadata.uid;
  } else if (group === "" && kind === "Secret") {
    const secret = read("secrets", namespace);
    bound = { secret };
    uid = secret.metadata.uid;
  } else {
    throw ApiError.badRequest(`cannot bind token to object of type ${groupVersionKindString(group, version, kind)}`);
  }
  if (ref.uid && ref.uid !== uid) {
    throw ApiError.conflict(
      "",
      kind,
      refName,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return bound;
}

/** schema.GroupVersionKind's String(): `/v1, Kind=Deployment`, `apps/v1, Kind=Deployment`. */
function groupVersionKindString(group: string, version: string, kind: string): string {
  return `${group}/${version}, Kind=${kind}`;
}
