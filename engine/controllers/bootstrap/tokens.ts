import { createHmac, randomBytes } from "node:crypto";
import type { Secret } from "../../api/core";

/** k8s.io/cluster-bootstrap's names: where bootstrap tokens live and what cluster-info holds. */
export const TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
export const TOKEN_SECRET_NAMESPACE = "kube-system";
export const TOKEN_SECRET_PREFIX = "bootstrap-token-";
export const CLUSTER_INFO_NAMESPACE = "kube-public";
export const CLUSTER_INFO = "cluster-info";
export const KUBECONFIG_KEY = "kubeconfig";
export const JWS_KEY_PREFIX = "jws-kubeconfig-";
/** kubeadm's default token group (NodeBootstrapTokenAuthGroup). */
export const DEFAULT_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

const TOKEN_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * `length` characters of [a-z0-9] from the system's random source, as bootstraputil's randBytes
 * (crypto/rand): rejection sampling keeps them uniform.
 */
export function randomTokenPart(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (out.length === length) break;
      if (byte < 252) out += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
    }
  }
  return out;
}

/** RFC 3339 in UTC without fractions, as Go formats time.RFC3339 (a token's `expiration`). */
export const rfc3339 = (ms: number) => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;

export interface BootstrapToken {
  id: string;
  secret: string;
  /** When the token expires (ms since the epoch); undefined for a token that never does. */
  expires?: number;
  description?: string;
  usages: readonly string[];
  groups: readonly string[];
}

/** The Secret kubeadm stores a bootstrap token in (encodeTokenSecretData's fields, base64 as the API holds them). */
export function bootstrapTokenSecret(token: BootstrapToken): Secret {
  const data: Record<string, string> = { "token-id": token.id, "token-secret": token.secret };
  if (token.description) data.description = token.description;
  if (token.expires !== undefined) data.expiration = rfc3339(token.expires);
  for (const usage of token.usages) data[`usage-bootstrap-${usage}`] = "true";
  if (token.groups.length > 0) data["auth-extra-groups"] = token.groups.join(",");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `${TOKEN_SECRET_PREFIX}${token.id}`, namespace: TOKEN_SECRET_NAMESPACE },
    type: TOKEN_SECRET_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString("base64")])),
  };
}

/** A key of a token Secret's data, decoded (bootstrapsecretutil.GetData); "" when absent. */
export function tokenData(secret: Secret, key: string): string {
  const value = secret.data?.[key];
  return value === undefined ? "" : Buffer.from(value, "base64").toString();
}

/** When the Secret's token expires (ms), or undefined when it has no (parsable) expiration. */
export function tokenExpiry(secret: Secret): number | undefined {
  const text = tokenData(secret, "expiration");
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * validateSecretForSigning: the token id and secret of a bootstrap token Secret fit to sign
 * cluster-info — named after its id, not expired, with usage-bootstrap-signing "true".
 */
export function signingToken(secret: Secret, now: number): { id: string; secret: string } | undefined {
  if (secret.type !== TOKEN_SECRET_TYPE) return undefined;
  const name = secret.metadata.name ?? "";
  if (!name.startsWith(TOKEN_SECRET_PREFIX)) return undefined;
  const id = tokenData(secret, "token-id");
  if (!id || name.slice(TOKEN_SECRET_PREFIX.length) !== id) return undefined;
  const tokenSecret = tokenData(secret, "token-secret");
  if (!tokenSecret) return undefined;
  const expires = tokenExpiry(secret);
  if (expires !== undefined && expires <= now) return undefined;
  if (tokenData(secret, "usage-bootstrap-signing") !== "true") return undefined;
  return { id, secret: tokenSecret };
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/**
 * computeDetachedSig: a compact HS256 JWS of `content` keyed by the token secret, with the token id
 * as `kid`, its payload left out (RFC 7515 appendix F): `header..signature`. go-jose writes the
 * protected header's keys in sorted order.
 */
export function detachedJws(content: string, tokenId: string, tokenSecret: string): string {
  const header = base64url(JSON.stringify({ alg: "HS256", kid: tokenId }));
  const signature = createHmac("sha256", tokenSecret)
    .update(`${header}.${base64url(content)}`)
    .digest();
  return `${header}..${base64url(signature)}`;
}
