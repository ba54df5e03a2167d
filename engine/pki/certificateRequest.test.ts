import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createKubeadmPki } from "../kubelet/kubeadmPki";
import { buildCertificateRequest } from "./buildCertificateRequest";
import { certificateTime, pem } from "./certificate";
import {
  checkRequestSignature,
  commonNameOf,
  organizationsOf,
  parseCertificateRequest,
  parseCertificateRequestPem,
} from "./certificateRequest";
import { clientCertificateIdentity } from "./clientCertificateIdentity";
import { integer, octetString, oid, sequence, utf8String } from "./der";
import { readChildren, readElement, readOid, readSingle, readString, readTime } from "./derReader";
import { signRequest } from "./signRequest";

describe("DER reading", () => {
  it.each([
    { name: "short length", encoded: octetString(Buffer.alloc(5, 1)), length: 5 },
    { name: "one-byte long length", encoded: octetString(Buffer.alloc(200)), length: 200 },
    { name: "two-byte long length", encoded: octetString(Buffer.alloc(300)), length: 300 },
  ])("$name", ({ encoded, length }) => {
    const element = readSingle(encoded);
    expect(element.tag).toBe(0x04);
    expect(element.content.length).toBe(length);
    expect(element.raw.equals(encoded)).toBe(true);
  });

  it("walks a sequence's children and reads OIDs and strings back", () => {
    const encoded = sequence(oid("1.2.840.10045.4.3.2"), utf8String("jäne"), integer(Buffer.from([1, 2])));
    const [id, text, number] = readChildren(readSingle(encoded).content);
    expect(readOid(id?.content ?? Buffer.alloc(0))).toBe("1.2.840.10045.4.3.2");
    expect(text && readString(text)).toBe("jäne");
    expect(number?.content).toEqual(Buffer.from([1, 2]));
  });

  it.each([
    { name: "UTCTime", time: Date.UTC(2031, 4, 6, 7, 8, 9) },
    { name: "GeneralizedTime", time: Date.UTC(2051, 0, 2, 3, 4, 5) },
  ])("reads $name", ({ time }) => {
    expect(readTime(readSingle(certificateTime(time)))).toBe(time);
  });

  it.each([
    { name: "truncated content", bytes: Buffer.from([0x30, 0x05, 0x01]), message: "data truncated" },
    { name: "indefinite length", bytes: Buffer.from([0x30, 0x80, 0, 0]), message: "indefinite length found (not DER)" },
    { name: "non-minimal length", bytes: Buffer.from([0x04, 0x81, 0x01, 0x00]), message: "non-minimal length" },
  ])("refuses $name", ({ bytes, message }) => {
    expect(() => readElement(bytes)).toThrow(message);
  });
});

const keys = {
  rsa: () => generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey,
  ec: () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey,
  ed25519: () => generateKeyPairSync("ed25519").privateKey,
};

describe("certificate requests", () => {
  it.each(Object.entries(keys))("parses and verifies a %s request made with node:crypto", (_name, makeKey) => {
    const request = parseCertificateRequest(
      buildCertificateRequest(makeKey(), {
        commonName: "jane",
        organizations: ["dev", "ops"],
        dnsNames: ["jane.example"],
      }),
    );
    expect(commonNameOf(request.subject)).toBe("jane");
    expect(organizationsOf(request.subject)).toEqual(["dev", "ops"]);
    expect(request.dnsNames).toEqual(["jane.example"]);
    expect(() => checkRequestSignature(request)).not.toThrow();
  });

  it.each([
    { name: "RSA", key: keys.rsa, message: "crypto/rsa: verification error" },
    { name: "ECDSA", key: keys.ec, message: "x509: ECDSA verification failure" },
  ])("refuses a $name request whose signature does not match", ({ key, message }) => {
    const der = buildCertificateRequest(key(), { commonName: "jane" });
    der[der.length - 3] ^= 0xff;
    expect(() => checkRequestSignature(parseCertificateRequest(der))).toThrow(message);
  });

  it.each([
    { name: "no PEM", text: "hello", message: "PEM block type must be CERTIFICATE REQUEST" },
    {
      name: "another PEM type",
      text: pem("CERTIFICATE", Buffer.from([0x30, 0])),
      message: "PEM block type must be CERTIFICATE REQUEST",
    },
    {
      name: "not DER",
      text: pem("CERTIFICATE REQUEST", Buffer.from([0x30, 0x05])),
      message: "asn1: syntax error: data truncated",
    },
  ])("refuses $name as Go does", ({ text, message }) => {
    expect(() => parseCertificateRequestPem(text)).toThrow(message);
  });
});

describe("signing a request", () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const pki = createKubeadmPki(now - 1000);
  const request = () =>
    parseCertificateRequest(buildCertificateRequest(keys.ec(), { commonName: "jane", organizations: ["dev"] }));
  const policy = { usages: ["client auth"], backdate: 5 * 60_000, short: 8 * 3_600_000, now };

  it("issues a client certificate the CA verifies, subject in Go's order (O before CN)", () => {
    const certificate = new X509Certificate(signRequest(request(), pki.ca, { ...policy, ttl: 24 * 3_600_000 }));
    expect(certificate.verify(new X509Certificate(pki.ca.certificatePem).publicKey)).toBe(true);
    expect(certificate.subject).toBe("O=dev\nCN=jane");
    expect(certificate.issuer).toBe("CN=kubernetes");
    expect(certificate.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(certificate.ca).toBe(false);
    // Long-lived: both ends backdated by five minutes.
    expect(Date.parse(certificate.validFrom)).toBe(now - 5 * 60_000);
    expect(Date.parse(certificate.validTo)).toBe(now + 24 * 3_600_000 - 5 * 60_000);
  });

  it("is authenticated as its CN and every O, though Go puts the O entries in one RDN", () => {
    const multi = parseCertificateRequest(
      buildCertificateRequest(keys.ec(), { commonName: "jane", organizations: ["qa", "dev"] }),
    );
    const certificate = signRequest(multi, pki.ca, { ...policy, ttl: 3_600_000 });
    expect(clientCertificateIdentity(certificate, pki.ca.certificatePem, now)).toEqual({
      user: "jane",
      groups: ["qa", "dev"],
    });
    expect(clientCertificateIdentity(certificate, pki.ca.certificatePem, now + 2 * 3_600_000)).toBeUndefined();
    const stranger = createKubeadmPki(now).ca.certificatePem;
    expect(clientCertificateIdentity(certificate, stranger, now)).toBeUndefined();
  });

  it("does not backdate the end of a short-lived certificate", () => {
    const certificate = new X509Certificate(signRequest(request(), pki.ca, { ...policy, ttl: 3_600_000 }));
    expect(Date.parse(certificate.validTo)).toBe(now + 3_600_000);
  });

  it("never outlives the CA", () => {
    const certificate = new X509Certificate(signRequest(request(), pki.ca, { ...policy, ttl: 20 * 365 * 86_400_000 }));
    expect(certificate.validTo).toBe(new X509Certificate(pki.ca.certificatePem).validTo);
  });

  it("refuses unknown usages as keyUsagesFromStrings does", () => {
    expect(() => signRequest(request(), pki.ca, { ...policy, usages: ["bogus"], ttl: 3_600_000 })).toThrow(
      'unrecognized usage values: ["bogus"]',
    );
  });
});
