import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { CertificateSigningRequest } from "../../api/certificates";
import { CertificateSigningRequests } from "../../api/resources";
import { createKubeadmPki } from "../../kubelet/kubeadmPki";
import { buildCertificateRequest, pem } from "../../pki";
import { createHarness, type Harness } from "../testing/harness";

const start = Date.UTC(2026, 0, 1);
const pki = createKubeadmPki(start - 60_000);
const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;

function csr(
  name: string,
  subject: { commonName: string; organizations?: string[]; dnsNames?: string[] },
  spec: Partial<CertificateSigningRequest["spec"]> = {},
): CertificateSigningRequest {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: {
      request: Buffer.from(pem("CERTIFICATE REQUEST", buildCertificateRequest(key, subject))).toString("base64"),
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["client auth"],
      ...spec,
    },
  };
}

async function approve(harness: Harness, name: string, type = "Approved"): Promise<void> {
  const current = await harness.client.get<CertificateSigningRequest>(CertificateSigningRequests, undefined, name);
  current.status = { conditions: [{ type, status: "True", reason: "KubectlApprove", message: "approved" }] };
  await harness.client.update(CertificateSigningRequests, current, { subresource: "approval" });
}

const read = (harness: Harness, name: string) =>
  harness.client.get<CertificateSigningRequest>(CertificateSigningRequests, undefined, name);

const issued = (request: CertificateSigningRequest) =>
  new X509Certificate(Buffer.from(request.status?.certificate ?? "", "base64"));

describe("CSRSigningController", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  const setUp = async () => {
    harness = await createHarness({
      controllers: ["csrsigning", "csrcleaner"],
      start,
      signingAuthority: async () => pki.ca,
    });
    return harness;
  };

  it("leaves a pending request alone and signs it once approved, for min(expirationSeconds, a year)", async () => {
    await setUp();
    await harness.client.create(
      CertificateSigningRequests,
      csr("jane", { commonName: "jane", organizations: ["dev"] }, { expirationSeconds: 86400 }),
    );
    await harness.settle();
    expect((await read(harness, "jane")).status?.certificate).toBeUndefined();
    await approve(harness, "jane");
    await harness.settle();
    const certificate = issued(await read(harness, "jane"));
    expect(certificate.subject).toBe("O=dev\nCN=jane");
    expect(certificate.verify(new X509Certificate(pki.ca.certificatePem).publicKey)).toBe(true);
    expect(Date.parse(certificate.validFrom)).toBe(start - 5 * 60_000);
    expect(Date.parse(certificate.validTo)).toBe(start + 86_400_000 - 5 * 60_000);
  });

  it("caps the duration at the signer's year", async () => {
    await setUp();
    await harness.client.create(
      CertificateSigningRequests,
      csr("long", { commonName: "long" }, { expirationSeconds: 10 * 365 * 86400 }),
    );
    await approve(harness, "long");
    await harness.settle();
    expect(Date.parse(issued(await read(harness, "long")).validTo)).toBe(start + 365 * 86_400_000 - 5 * 60_000);
  });

  it.each([
    {
      name: "a client certificate without client auth",
      request: csr("x", { commonName: "x" }, { usages: ["digital signature"] }),
      message: "missing required usage for client certificate: client auth",
    },
    {
      name: "a client certificate for server auth",
      request: csr("x", { commonName: "x" }, { usages: ["client auth", "server auth"] }),
      message: "invalid usage for client certificate: server auth",
    },
    {
      name: "a kubelet client certificate outside system:nodes",
      request: csr(
        "x",
        { commonName: "system:node:n1" },
        { signerName: "kubernetes.io/kube-apiserver-client-kubelet" },
      ),
      message: "subject organization is not system:nodes",
    },
    {
      name: "a kubelet client certificate with the wrong usages",
      request: csr(
        "x",
        { commonName: "system:node:n1", organizations: ["system:nodes"] },
        { signerName: "kubernetes.io/kube-apiserver-client-kubelet" },
      ),
      message: "usages did not match [client auth digital signature key encipherment]",
    },
    {
      name: "a serving certificate without names",
      request: csr(
        "x",
        { commonName: "system:node:n1", organizations: ["system:nodes"] },
        { signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "server auth"] },
      ),
      message: "DNS or IP subjectAltName is required",
    },
  ])("marks $name Failed (SignerValidationFailure)", async ({ request, message }) => {
    await setUp();
    await harness.client.create(CertificateSigningRequests, request);
    await approve(harness, "x");
    await harness.settle();
    const failed = await read(harness, "x");
    expect(failed.status?.certificate).toBeUndefined();
    expect(failed.status?.conditions?.map(({ type, reason, message }) => ({ type, reason, message }))).toEqual([
      { type: "Approved", reason: "KubectlApprove", message: "approved" },
      { type: "Failed", reason: "SignerValidationFailure", message },
    ]);
  });

  it("signs a kubelet serving certificate with its names", async () => {
    await setUp();
    await harness.client.create(
      CertificateSigningRequests,
      csr(
        "serving",
        { commonName: "system:node:node01", organizations: ["system:nodes"], dnsNames: ["node01"] },
        { signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "server auth"] },
      ),
    );
    await approve(harness, "serving");
    await harness.settle();
    expect(issued(await read(harness, "serving")).subjectAltName).toBe("DNS:node01");
  });

  it("does not sign a denied request, and ignores signers it does not run", async () => {
    await setUp();
    await harness.client.create(CertificateSigningRequests, csr("denied", { commonName: "d" }));
    await harness.client.create(
      CertificateSigningRequests,
      csr("other", { commonName: "o" }, { signerName: "example.com/mine" }),
    );
    await approve(harness, "denied", "Denied");
    await approve(harness, "other");
    await harness.settle();
    expect((await read(harness, "denied")).status?.certificate).toBeUndefined();
    expect((await read(harness, "other")).status?.certificate).toBeUndefined();
  });

  it("cleans an issued request an hour after approval and a pending one after a day", async () => {
    await setUp();
    await harness.client.create(CertificateSigningRequests, csr("issued", { commonName: "i" }));
    await harness.client.create(CertificateSigningRequests, csr("pending", { commonName: "p" }));
    await approve(harness, "issued");
    await harness.settle(3_599_000);
    expect((await read(harness, "issued")).status?.certificate).toBeDefined();
    await harness.settle(1_000);
    await expect(read(harness, "issued")).rejects.toThrow(
      'certificatesigningrequests.certificates.k8s.io "issued" not found',
    );
    await harness.settle(23 * 3_600_000 - 1_000);
    expect((await read(harness, "pending")).metadata.name).toBe("pending");
    await harness.settle(1_000);
    await expect(read(harness, "pending")).rejects.toThrow("not found");
  });
});
