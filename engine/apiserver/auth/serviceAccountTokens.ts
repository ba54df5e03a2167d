import { sign, verify } from "node:crypto";
import type { KubeObject } from "../../api/types";
import type { UserInfo } from "../ResourceRequest";
import type { ServiceAccountKey } from "./serviceAccountKey";

/** kube-apiserver's --service-account-issuer in a kubeadm cluster, also its default API audience. */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** The audiences the API server accepts (`--api-audiences`, defaulting to the issuer). */
export const API_AUDIENCES: readonly string[] = [SERVICE_ACCOUNT_ISSUER];

/** Upstream's jwt.DefaultLeeway: a token is accepted this long past its exp (and before its nbf). */
const LEEWAY_SECONDS = 60;

/** A bound object deleted this long ago invalidates its tokens (upstream's validator grace). */
const DELETION_GRACE_SECONDS = 60;

// pkg/serviceaccount/util.go: the extra keys a service account's user info carries.
const POD_NAME_KEY = "authentication.kubernetes.io/pod-name";
const POD_UID_KEY = "authentication.kubernetes.io/pod-uid";
const NODE_NAME_KEY = "authentication.kubernetes.io/node-name";
const NODE_UID_KEY = "authentication.kubernetes.io/node-uid";
const CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id";

interface ObjectRef {
  name: string;
  uid: string;
}

/** The claims of a bound service-account token, as pkg/serviceaccount/claims.go builds them. */
export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  "kubernetes.io": {
    namespace: string;
    node?: ObjectRef;
    pod?: ObjectRef;
    secret?: ObjectRef;
    serviceaccount: ObjectRef;
    warnafter?: number;
  };
  nbf: number;
  sub: string;
}

/** What a token is issued for: the account, the object it is bound to, its lifetime and audiences. */
export interface TokenGrant {
  serviceAccount: KubeObject;
  pod?: KubeObject;
  /** The pod's node (claims name it with the pod), or the node the token is bound to. */
  node?: KubeObject;
  secret?: KubeObject;
  audiences: string[];
  nowSeconds: number;
  expirationSeconds: number;
  jti: string;
}

const refOf = (object: KubeObject): ObjectRef => ({ name: object.metadata.name ?? "", uid: object.metadata.uid ?? "" });

/**
 * The claims, keys in the order go-jose writes them (it merges the public and private claims through
 * a map, so every level is sorted): what `jwt.io` shows for a real cluster's token.
 */
export function tokenClaims(grant: TokenGrant): ServiceAccountClaims {
  const namespace = grant.serviceAccount.metadata.namespace ?? "";
  const kubernetes: ServiceAccountClaims["kubernetes.io"] = {
    namespace,
    ...(grant.node ? { node: refOf(grant.node) } : {}),
    ...(grant.pod ? { pod: refOf(grant.pod) } : {}),
    ...(grant.secret ? { secret: refOf(grant.secret) } : {}),
    serviceaccount: refOf(grant.serviceAccount),
  };
  return {
    aud: grant.audiences,
    exp: grant.nowSeconds + grant.expirationSeconds,
    iat: grant.nowSeconds,
    iss: SERVICE_ACCOUNT_ISSUER,
    jti: grant.jti,
    "kubernetes.io": kubernetes,
    nbf: grant.nowSeconds,
    sub: `system:serviceaccount:${namespace}:${grant.serviceAccount.metadata.name}`,
  };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The signed JWT (ES256 — JWS's raw r||s signature — or RS256, `kid` of the signing key) for `claims`. */
export function signToken(key: ServiceAccountKey, claims: ServiceAccountClaims): string {
  const pair = key.signing();
  const signingInput = `${encode({ alg: pair.algorithm, kid: pair.keyId })}.${encode(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput), { key: pair.privateKey, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** Reads objects the way the validator's getters do (the API server's store). */
export type ObjectGetter = (
  group: string,
  resource: string,
  namespace: string | undefined,
  name: string,
) => KubeObject | undefined;

/** The outcome of checking a bearer token: the user, or why the token is refused. */
export type TokenCheck = { user: UserInfo; audiences: string[] } | { error: string; handled: boolean };

/**
 * Checks a bearer token as kube-apiserver's service-account authenticator does (pkg/serviceaccount
 * jwt.go and claims.go): a JWT of our issuer, signed by the cluster's key, within its lifetime (one
 * minute's leeway), for one of `audiences`, whose service account and bound object still exist with
 * the uids it names. `handled: false` when the token is not ours at all (another authenticator's).
 */
export function checkToken(
  key: ServiceAccountKey,
  get: ObjectGetter,
  token: string,
  nowSeconds: number,
  audiences: readonly string[] = API_AUDIENCES,
): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { error: "not a JWT", handled: false };
  let header: { alg?: string; kid?: string };
  let claims: Partial<ServiceAccountClaims>;
  try {
    header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return { error: "not a JWT", handled: false };
  }
  if (typeof claims !== "object" || claims === null || claims.iss !== SERVICE_ACCOUNT_ISSUER)
    return { error: "not our issuer", handled: false };
  const pair = key.stored();
  const signature = Buffer.from(parts[2], "base64url");
  if (
    !pair ||
    header.alg !== pair.algorithm ||
    !verify(
      "sha256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: pair.publicKey, dsaEncoding: "ieee-p1363" },
      signature,
    )
  )
    return { error: "invalid signature", handled: true };
  if (typeof claims.exp !== "number" || nowSeconds > claims.exp + LEEWAY_SECONDS)
    return { error: "service account token has expired", handled: true };
  if (typeof claims.nbf === "number" && nowSeconds < claims.nbf - LEEWAY_SECONDS)
    return { error: "service account token is not valid yet", handled: true };
  const tokenAudiences = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === "string" ? [claims.aud] : [];
  const accepted = tokenAudiences.filter((audience) => audiences.includes(audience));
  if (accepted.length === 0)
    return {
      error: `token audiences ${goQuote(tokenAudiences)} is invalid for the target audiences ${goQuote(audiences)}`,
      handled: true,
    };
  const kubernetes = claims["kubernetes.io"];
  const namespace = kubernetes?.namespace ?? "";
  const account = kubernetes?.serviceaccount;
  if (!kubernetes || !namespace || !account?.name)
    return { error: "service account token claims are incomplete", handled: true };
  const refusal = boundObjectRefusal(get, claims as ServiceAccountClaims, nowSeconds);
  if (refusal) return { error: refusal, handled: true };
  const serviceAccount = get("", "serviceaccounts", namespace, account.name) as KubeObject;
  const extra: Record<string, string[]> = {};
  if (kubernetes.pod) {
    extra[POD_NAME_KEY] = [kubernetes.pod.name];
    extra[POD_UID_KEY] = [kubernetes.pod.uid];
  }
  if (typeof claims.jti === "string" && claims.jti) extra[CREDENTIAL_ID_KEY] = [`JTI=${claims.jti}`];
  if (kubernetes.node) {
    extra[NODE_NAME_KEY] = [kubernetes.node.name];
    if (kubernetes.node.uid) extra[NODE_UID_KEY] = [kubernetes.node.uid];
  }
  return {
    user: {
      username: `system:serviceaccount:${namespace}:${account.name}`,
      uid: serviceAccount.metadata.uid,
      groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    },
    audiences: accepted,
  };
}

/** Why the token's account or bound object no longer stands (upstream's validator messages), or undefined. */
function boundObjectRefusal(get: ObjectGetter, claims: ServiceAccountClaims, nowSeconds: number): string | undefined {
  const { namespace, serviceaccount, pod, secret, node } = claims["kubernetes.io"];
  const deletedLongAgo = (object: KubeObject) => {
    const deletion = object.metadata.deletionTimestamp;
    return deletion !== undefined && Date.parse(deletion) / 1000 < nowSeconds - DELETION_GRACE_SECONDS;
  };
  const account = get("", "serviceaccounts", namespace, serviceaccount.name);
  if (!account || deletedLongAgo(account))
    return `service account ${namespace}/${serviceaccount.name} has been deleted`;
  if (account.metadata.uid !== serviceaccount.uid)
    return `service account UID (${account.metadata.uid}) does not match claim (${serviceaccount.uid})`;
  if (secret) {
    const found = get("", "secrets", namespace, secret.name);
    if (!found || deletedLongAgo(found)) return `secret ${namespace}/${secret.name} has been deleted`;
    if (found.metadata.uid !== secret.uid)
      return `secret UID (${secret.uid}) does not match service account secret ref claim (${found.metadata.uid})`;
  }
  if (pod) {
    const found = get("", "pods", namespace, pod.name);
    if (!found || deletedLongAgo(found)) return `pod ${namespace}/${pod.name} has been deleted`;
    if (found.metadata.uid !== pod.uid)
      return `pod UID (${pod.uid}) does not match service account pod ref claim (${found.metadata.uid})`;
  }
  // A node named beside a pod is informational; a token bound to the node itself needs it to stand.
  if (node && !pod) {
    const found = get("", "nodes", undefined, node.name);
    if (!found || deletedLongAgo(found)) return `node ${node.name} has been deleted`;
    if (found.metadata.uid !== node.uid)
      return `node UID (${node.uid}) does not match service account node ref claim (${found.metadata.uid})`;
  }
  return undefined;
}

/** Go's %q of a string slice. */
function goQuote(values: readonly string[]): string {
  return `[${values.map((value) => JSON.stringify(value)).join(" ")}]`;
}
