import { X509Certificate } from "node:crypto";
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from "../../api/certificates";
import { CertificateSigningRequests } from "../../api/resources";
import { csrRequest, decodeBytesField } from "../../apiserver/resources/certificates/certificatesigningrequests";
import { type CertificateRequest, commonNameOf, organizationsOf, type SigningAuthority, signRequest } from "../../pki";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";

/** Where the signer finds its CA: kube-controller-manager's --cluster-signing-cert-file/-key-file. */
export type SigningAuthoritySource = () => Promise<SigningAuthority | undefined>;

const hour = 3_600_000;

/** --cluster-signing-duration's default: one year. */
export const DEFAULT_CERTIFICATE_TTL = 365 * 24 * hour;

/** Checks a request against what its signer issues; an error becomes the Failed condition's message. */
type SignerCheck = (request: CertificateRequest, usages: readonly string[]) => string | undefined;

const sameSet = (usages: readonly string[], wanted: readonly string[]) =>
  new Set(usages).size === wanted.length && wanted.every((usage) => usages.includes(usage));

/** upstream ValidateKubeletClientCSR / ValidateKubeletServingCSR, in their order of checks. */
function kubeletCheck(serving: boolean): SignerCheck {
  const required = serving
    ? ["digital signature", "key encipherment", "server auth"]
    : ["client auth", "digital signature", "key encipherment"];
  const withoutRsa = required.filter((usage) => usage !== "key encipherment");
  return (request, usages) => {
    const organizations = organizationsOf(request.subject);
    if (organizations.length !== 1 || organizations[0] !== "system:nodes")
      return "subject organization is not system:nodes";
    if (serving && request.dnsNames.length === 0 && request.ipAddresses.length === 0)
      return "DNS or IP subjectAltName is required";
    if (!serving && request.dnsNames.length > 0) return "DNS subjectAltNames are not allowed";
    if (request.emailAddresses.length > 0) return "Email subjectAltNames are not allowed";
    if (!serving && request.ipAddresses.length > 0) return "IP subjectAltNames are not allowed";
    if (request.uris.length > 0) return "URI subjectAltNames are not allowed";
    const commonName = () =>
      commonNameOf(request.subject).startsWith("system:node:")
        ? undefined
        : "subject common name does not begin with system:node:";
    if (!serving && commonName()) return commonName();
    if (!sameSet(usages, required) && !sameSet(usages, withoutRsa))
      return `usages did not match [${required.join(" ")}]`;
    return serving ? commonName() : undefined;
  };
}

/** upstream validAPIServerClientUsages: client auth required, digital signature and key encipherment allowed. */
const apiServerClientCheck: SignerCheck = (_request, usages) => {
  for (const usage of usages) {
    if (!["digital signature", "key encipherment", "client auth"].includes(usage))
      return `invalid usage for client certificate: ${usage}`;
  }
  return usages.includes("client auth") ? undefined : "missing required usage for client certificate: client auth";
};

/** The signers kube-controller-manager runs (csrsigning-*), by signerName. */
const SIGNERS: Record<string, SignerCheck> = {
  "kubernetes.io/kube-apiserver-client": apiServerClientCheck,
  "kubernetes.io/kube-apiserver-client-kubelet": kubeletCheck(false),
  "kubernetes.io/kubelet-serving": kubeletCheck(true),
  // No restrictions, for compatibility (v1beta1's default).
  "kubernetes.io/legacy-unknown": () => undefined,
};

const hasTrue = (csr: CertificateSigningRequest, type: string) =>
  (csr.status?.conditions ?? []).some((condition) => condition.type === type && condition.status === "True");

/**
 * pkg/controller/certificates/signer: an Approved request for one of the signers above, not yet
 * issued and not Failed, gets a certificate from the cluster CA (status.certificate, through
 * /status); one its signer refuses gets `Failed` with reason SignerValidationFailure. Validity is
 * min(spec.expirationSeconds, --cluster-signing-duration), at least 10 minutes.
 */
export class CSRSigningController {
  private readonly queue: WorkQueue;
  private readonly requests;

  constructor(
    private readonly context: ControllerContext,
    private readonly authority: SigningAuthoritySource,
    private readonly ttl = DEFAULT_CERTIFICATE_TTL,
  ) {
    this.requests = context.informer<CertificateSigningRequest>(CertificateSigningRequests);
    this.queue = context.loop("csrsigning", (key) => this.sync(key));
    const changed = (csr: CertificateSigningRequest) => this.queue.add(csr.metadata.name ?? "");
    this.requests.addHandlers({ add: changed, update: (_old, csr) => changed(csr) });
  }

  async sync(name: string): Promise<void> {
    const cached = this.requests.get(undefined, name);
    // The certificate controller skips issued requests; the signer ignores unapproved and failed ones.
    if (!cached || cached.status?.certificate) return;
    if (!hasTrue(cached, "Approved") || hasTrue(cached, "Failed") || hasTrue(cached, "Denied")) return;
    const check = SIGNERS[cached.spec.signerName];
    if (!check) return;
    let request: CertificateRequest;
    try {
      request = csrRequest(cached);
    } catch (error) {
      throw new Error(`unable to parse csr "${name}": ${(error as Error).message}`);
    }
    const csr = structuredClone(cached);
    const problem = check(request, csr.spec.usages ?? []);
    if (problem) {
      const failed: CertificateSigningRequestCondition = {
        type: "Failed",
        status: "True",
        reason: "SignerValidationFailure",
        message: problem,
      };
      csr.status = { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] };
    } else {
      const authority = await this.authority();
      if (!authority) throw new Error("error auto signing csr: no signing CA (ca.crt and ca.key) on the control plane");
      try {
        const certificate = signRequest(request, authority, {
          ttl: this.duration(csr.spec.expirationSeconds),
          usages: csr.spec.usages ?? [],
          backdate: 5 * 60_000,
          short: 8 * hour,
          now: this.context.clock.now(),
        });
        csr.status = { ...csr.status, certificate: Buffer.from(certificate).toString("base64") };
      } catch (error) {
        throw new Error(`error auto signing csr: ${(error as Error).message}`);
      }
    }
    try {
      await this.context.client.update(CertificateSigningRequests, csr, { subresource: "status" });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** The signer's duration: the request's, within [10 minutes, the signer's TTL]. */
  private duration(expirationSeconds: number | undefined): number {
    if (expirationSeconds === undefined) return this.ttl;
    return Math.min(this.ttl, Math.max(10 * 60_000, expirationSeconds * 1000));
  }
}

/** The end of the issued certificate's validity (what the cleaner's isIssuedExpired compares). */
function certificateEnd(csr: CertificateSigningRequest): number | undefined {
  const text = decodeBytesField(csr.status?.certificate).toString("latin1");
  const match = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text);
  if (!match) return undefined;
  try {
    return Date.parse(new X509Certificate(match[0]).validTo);
  } catch {
    return undefined;
  }
}

/**
 * pkg/controller/certificates/cleaner (csrcleaner): deletes a request an hour after it was
 * approved and issued, denied, or failed, a pending one after 24 hours, and any whose certificate
 * has expired. Upstream looks every hour; here each request is queued for its own deadline.
 */
export class CSRCleanerController {
  private readonly queue: WorkQueue;
  private readonly requests;

  constructor(private readonly context: ControllerContext) {
    this.requests = context.informer<CertificateSigningRequest>(CertificateSigningRequests);
    this.queue = context.loop("csrcleaner", (key) => this.sync(key));
    const changed = (csr: CertificateSigningRequest) => this.queue.add(csr.metadata.name ?? "");
    this.requests.addHandlers({ add: changed, update: (_old, csr) => changed(csr) });
  }

  /** When `csr` is due for deletion. */
  deadline(csr: CertificateSigningRequest): number {
    const conditionTime = (type: string) => {
      const condition = csr.status?.conditions?.find((entry) => entry.type === type);
      return condition?.lastUpdateTime ? Date.parse(condition.lastUpdateTime) : undefined;
    };
    const deadlines: number[] = [];
    const created = Date.parse(csr.metadata.creationTimestamp ?? "");
    const approved = conditionTime("Approved");
    const denied = conditionTime("Denied");
    const failed = conditionTime("Failed");
    if (approved === undefined && denied === undefined && failed === undefined) deadlines.push(created + 24 * hour);
    if (approved !== undefined && csr.status?.certificate) deadlines.push(approved + hour);
    if (denied !== undefined) deadlines.push(denied + hour);
    if (failed !== undefined) deadlines.push(failed + hour);
    const end = csr.status?.certificate ? certificateEnd(csr) : undefined;
    if (end !== undefined) deadlines.push(end);
    return deadlines.length > 0 ? Math.min(...deadlines) : Number.POSITIVE_INFINITY;
  }

  async sync(name: string): Promise<void> {
    const csr = this.requests.get(undefined, name);
    if (!csr || csr.metadata.deletionTimestamp) return;
    const remaining = this.deadline(csr) - this.context.clock.now();
    if (!Number.isFinite(remaining)) return;
    if (remaining > 0) {
      this.queue.addAfter(name, remaining);
      return;
    }
    try {
      await this.context.client.delete(CertificateSigningRequests, undefined, name, {
        preconditions: { uid: csr.metadata.uid },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
