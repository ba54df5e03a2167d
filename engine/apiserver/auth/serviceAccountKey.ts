import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import type { KeyValueStore } from "../../store/KeyValueStore";

/**
 * Where a cluster keeps its service-account signing key: in its own store, beside the objects (not
 * under `/registry/`, so no resource, list or watch ever shows it), so that it is saved and restored
 * with the cluster and a restored cluster still accepts the tokens it issued. kube-apiserver reads
 * it from `--service-account-signing-key-file` (kubeadm's /etc/kubernetes/pki/sa.key).
 */
export const SERVICE_ACCOUNT_KEY = "/kubelab/serviceaccount-signing-key";

/** The key pair that signs (RS256) and verifies a cluster's service-account tokens. */
export interface ServiceAccountKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** As upstream's keyIDFromPublicKey: base64url of the SHA-256 of the PKIX public key. */
  keyId: string;
  /** kubeadm's sa.key (PKCS#1) and sa.pub (PKIX), PEM. */
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * RSA-2048 key pairs made ahead of need, one at a time on libuv's thread pool: making one costs
 * 100-500 ms of CPU, which on the event loop would stall every cluster of the process. A cluster
 * takes the spare one when it first signs a token and a new spare is started; with none ready it
 * makes its own where it stands. One spare per process, made only after some cluster asked.
 */
class SparePairs {
  private spare: string | undefined;
  private making = false;

  /** A PKCS#1 PEM private key: the spare when there is one, else one made now. */
  take(): string {
    const spare = this.spare;
    this.spare = undefined;
    this.prepare();
    return spare ?? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export(pkcs1).toString();
  }

  /** Starts making a spare unless one is ready or under way. */
  prepare(): void {
    if (this.spare !== undefined || this.making) return;
    this.making = true;
    generateKeyPair("rsa", { modulusLength: 2048 }, (error, _publicKey, privateKey) => {
      this.making = false;
      if (!error && this.spare === undefined) this.spare = privateKey.export(pkcs1).toString();
    });
  }
}

const pkcs1 = { type: "pkcs1", format: "pem" } as const;

const spares = new SparePairs();

/** Starts making a spare key pair in the background (a cluster without a key will want one soon). */
export function prepareServiceAccountKey(): void {
  spares.prepare();
}

/** The key pair of a PEM private key. */
export function keyPairOf(privateKeyPem: string): ServiceAccountKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  return {
    privateKey,
    publicKey,
    keyId: createHash("sha256").update(der).digest("base64url"),
    privateKeyPem: privateKey.export(pkcs1).toString(),
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
    const pem = spares.take();
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
