import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CertificateSigningRequest } from "../../../api/certificates";
import { CertificateSigningRequests } from "../../../api/resources";
import { createClient } from "../../../client/createClient";
import { buildCertificateRequest, pem } from "../../../pki";
import { ApiError } from "../../ApiError";
import type { ResourceDefinition } from "../../ResourceDefinition";
import { genericResources } from "../../testing/genericResources";
import { createTestServer } from "../../testing/testServer";
import { certificateSigningRequests, csrCondition } from "./certificatesigningrequests";

const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
const requestPem = pem(
  "CERTIFICATE REQUEST",
  buildCertificateRequest(key, { commonName: "jane", organizations: ["dev"] }),
);
const base64 = (text: string) => Buffer.from(text).toString("base64");

const csr = (spec: Partial<CertificateSigningRequest["spec"]> = {}, extra: Partial<CertificateSigningRequest> = {}) =>
  ({
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "jane" },
    spec: {
      request: base64(requestPem),
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["client auth"],
      expirationSeconds: 86400,
      ...spec,
    },
    ...extra,
  }) as CertificateSigningRequest;

function server() {
  const test = createTestServer({
    resources: [...genericResources, certificateSigningRequests as unknown as ResourceDefinition],
  });
  const jane = createClient(test.apiServer, { username: "alice", groups: ["system:masters", "system:authenticated"] });
  return { ...test, jane };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("certificatesigningrequests", () => {
  it("records the requesting user and clears what the client claimed", async () => {
    const { jane } = server();
    const created = await jane.create(
      CertificateSigningRequests,
      csr(
        { username: "admin", groups: ["system:masters"] },
        { status: { conditions: [{ type: "Approved", status: "True" }] } },
      ),
    );
    expect(created.spec.username).toBe("alice");
    expect(created.spec.groups).toEqual(["system:masters", "system:authenticated"]);
    expect(created.status).toEqual({});
    expect(csrCondition(created)).toBe("Pending");
  });

  it.each([
    {
      name: "a request that is not PEM",
      spec: { request: base64("hello") },
      message:
        'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.request: Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST',
    },
    {
      name: "no signer",
      spec: { signerName: "" },
      message: 'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.signerName: Required value',
    },
    {
      name: "a signer without a path",
      spec: { signerName: "example.com" },
      message:
        'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.signerName: Invalid value: "example.com": must be a fully qualified domain and path of the form \'example.com/signer-name\'',
    },
    {
      name: "no usages",
      spec: { usages: [] },
      message: 'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.usages: Required value',
    },
    {
      name: "an unknown usage",
      spec: { usages: ["client auth", "bogus"] },
      message: `CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.usages[1]: Unsupported value: "bogus": supported values: "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", "timestamping"`,
    },
    {
      name: "a short duration",
      spec: { expirationSeconds: 60 },
      message:
        'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
    },
    {
      name: "bytes that are not base64",
      spec: { request: "not base64!" },
      message:
        'CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: illegal base64 data at input byte 3',
    },
  ])("refuses $name with upstream's message", async ({ spec, message }) => {
    const { jane } = server();
    expect(await failure(jane.create(CertificateSigningRequests, csr(spec)))).toBe(message);
  });

  it("refuses a kube-apiserver-client request for system:masters (CertificateSubjectRestriction)", async () => {
    const { jane } = server();
    const masters = pem(
      "CERTIFICATE REQUEST",
      buildCertificateRequest(key, { commonName: "eve", organizations: ["dev", "system:masters"] }),
    );
    expect(await failure(jane.create(CertificateSigningRequests, csr({ request: base64(masters) })))).toBe(
      'certificatesigningrequests.certificates.k8s.io "jane" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
    );
    // Other signers may (a custom signer decides for itself).
    const other = await jane.create(
      CertificateSigningRequests,
      csr({ request: base64(masters), signerName: "example.com/mine" }),
    );
    expect(other.metadata.name).toBe("jane");
  });

  it("approves through /approval only (an ordinary update keeps status), stamping the condition", async () => {
    const { client, jane, clock } = server();
    const created = await jane.create(CertificateSigningRequests, csr());
    const approved = {
      type: "Approved",
      status: "True",
      reason: "KubectlApprove",
      message: "This CSR was approved by kubectl certificate approve.",
    };
    const ignored = await client.update(CertificateSigningRequests, { ...created, status: { conditions: [approved] } });
    expect(ignored.status?.conditions).toBeUndefined();
    await clock.advance(5000);
    const updated = await client.update(
      CertificateSigningRequests,
      { ...created, status: { conditions: [approved] } },
      { subresource: "approval" },
    );
    expect(updated.status?.conditions).toEqual([
      { ...approved, lastUpdateTime: "2026-01-01T00:00:05Z", lastTransitionTime: "2026-01-01T00:00:05Z" },
    ]);
    expect(csrCondition(updated)).toBe("Approved");
    const denied = { type: "Denied", status: "True" };
    expect(
      await failure(
        client.update(
          CertificateSigningRequests,
          { ...updated, status: { conditions: [...(updated.status?.conditions ?? []), denied] } },
          { subresource: "approval" },
        ),
      ),
    ).toBe(
      'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
    );
  });

  it("lets /status set the certificate once, keeping the approval as it was", async () => {
    const { client, jane } = server();
    const created = await jane.create(CertificateSigningRequests, csr());
    const certificate = base64(pem("CERTIFICATE", Buffer.from([0x30, 0x00])));
    const issued = await client.update(
      CertificateSigningRequests,
      { ...created, status: { conditions: [{ type: "Approved", status: "True" }], certificate } },
      { subresource: "status" },
    );
    expect(issued.status).toEqual({ certificate });
    expect(csrCondition(issued)).toBe("Pending,Issued");
    const again = base64(pem("CERTIFICATE", Buffer.from([0x30, 0x01])));
    expect(
      await failure(
        client.update(
          CertificateSigningRequests,
          { ...issued, status: { certificate: again } },
          { subresource: "status" },
        ),
      ),
    ).toBe(
      'CertificateSigningRequest.certificates.k8s.io "jane" is invalid: status.certificate: Forbidden: updates may not modify existing certificate content',
    );
  });
});
