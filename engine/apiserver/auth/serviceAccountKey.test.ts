import { generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyValueStore } from "../../store/KeyValueStore";
import { keyPairOf, SERVICE_ACCOUNT_KEY, ServiceAccountKey } from "./serviceAccountKey";

describe("the service-account signing key", () => {
  it("is made as kubeadm's ECDSA-P256 sa.key (SEC1 PEM) and signs ES256", () => {
    const key = new ServiceAccountKey(new KeyValueStore());
    const pair = key.signing();
    expect(pair.algorithm).toBe("ES256");
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(pair.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    // JWS ES256 signatures are r||s, 64 bytes.
    const signature = sign("sha256", Buffer.from("x"), { key: pair.privateKey, dsaEncoding: "ieee-p1363" });
    expect(signature).toHaveLength(64);
    expect(key.signing()).toBe(pair);
  });

  it("keeps an RSA key stored by an earlier version, which signs RS256", () => {
    const store = new KeyValueStore();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    store.put(SERVICE_ACCOUNT_KEY, JSON.stringify({ privateKeyPem: rsa }));
    const pair = new ServiceAccountKey(store).signing();
    expect(pair.algorithm).toBe("RS256");
    expect(pair.privateKeyPem).toBe(rsa);
    expect(keyPairOf(rsa).keyId).toBe(pair.keyId);
    const signature = sign("sha256", Buffer.from("x"), pair.privateKey);
    expect(verify("sha256", Buffer.from("x"), pair.publicKey, signature)).toBe(true);
  });
});
