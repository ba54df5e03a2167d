import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { KeyValueStore } from "../../store/KeyValueStore";

/**
 * Where a cluster keeps its service-account signing key: in its own store, beside the objects (not
 * under `/registry/`, so no resource, list or watch ever shows it), so that it is saved and restored
 * with the cluster and a restored cluster still accepts the tokens it issued. kube-apiserver reads
 * it from `--service-account-signing-key-file` (kubeadm's /etc/kubernetes/pki/sa.key).
 */
export const SERVICE_ACCOUNT_KEY = "/kubelab/serviceaccount-signing-key";

/** The key pair that signs (ES256, or RS256 for an RSA key) and verifies a cluster's service-account tokens. */
export interface ServiceAccountKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The JWS algorithm its tokens carry: ES256 for kubeadm's ECDSA-P256 key, RS256 for an RSA one. */
  algorithm: "ES256" | "RS256";
  /** As upstream's keyIDFromPublicKey: base64url of the SHA-256 of the PKIX public key. */
  keyId: string;
  /** kubeadm's sa.key (SEC1 for ECDSA, PKCS#1 for RSA) and sa.pub (PKIX), PEM. */
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * A new signing key as kubeadm makes sa.key for the cluster's `encryptionAlgorithm` (ECDSA-P256,
 * as kubeadm-config says and every other kubeadm key here is): well under a millisecond to make,
 * where RSA-2048 took 100-500 ms of CPU. Keys stored by earlier versions (RSA) keep working.
 */
function newPrivateKeyPem(): string {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    .privateKey.export({ type: "sec1", format: "pem" })
    .toString();
}

/** The key pair of a PEM private key. */
export function keyPairOf(privateKeyPem: string): ServiceAccountKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  const ecdsa = privateKey.asymmetricKeyType === "ec";
  return {
    privateKey,
    publicKey,
    algorithm: ecdsa ? "ES256" : "RS256",
    keyId: createHash("sha256").update(der).digest("base64url"),
    privateKeyPem: privateKey.export({ type: ecdsa ? "sec1" : "pkcs1", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/**
 * A cluster's signing key, read from its store on first use (made and stored then when the store
 * has none). Verification needs only what is stored: a cluster that never issued a token has no
 * key and accepts none.
 */
export class ServiceAccountKey {
  private pair: ServiceAccountKeyPair | undefined;
  private pairRevision = -1;

  constructor(
    private readonly store: KeyValueStore,
    /** Told of a key made anew (the kubeadm files on the control plane show it). */
    private readonly onCreated?: (pair: ServiceAccountKeyPair) => void,
  ) {}

  /** The key pair, made and stored on first use. */
  signing(): ServiceAccountKeyPair {
    const stored = this.stored();
    if (stored) return stored;
    const pem = newPrivateKeyPem();
    this.store.txn({
      compare: [{ key: SERVICE_ACCOUNT_KEY, target: "createRevision", result: "=", value: 0 }],
      success: [{ type: "put", key: SERVICE_ACCOUNT_KEY, value: JSON.stringify({ privateKeyPem: pem }) }],
    });
    const pair = this.stored();
    if (!pair) throw new Error("the service-account signing key could not be stored");
    this.onCreated?.(pair);
    return pair;
  }

  /** The stored key pair, or undefined when the cluster has none yet. */
  stored(): ServiceAccountKeyPair | undefined {
    const kv = this.store.get(SERVICE_ACCOUNT_KEY);
    if (!kv) return undefined;
    if (this.pair && this.pairRevision === kv.modRevision) return this.pair;
    this.pair = keyPairOf((JSON.parse(kv.value) as { privateKeyPem: string }).privateKeyPem);
    this.pairRevision = kv.modRevision;
    return this.pair;
  }
}
