import type { CertificateSigningRequest } from "../../api/certificates";
import { organizationsOf, parseCertificateRequestPem } from "../../pki";
import { ApiError } from "../ApiError";
import type { AdmissionPlugin } from "./Admission";

const signer = "kubernetes.io/kube-apiserver-client";

/**
 * CertificateSubjectRestriction (plugin/pkg/admission/certificates/subjectrestriction): a request
 * to the kube-apiserver-client signer may not ask for the system:masters group, whose members no
 * RBAC rule can restrain.
 */
export const certificateSubjectRestriction: AdmissionPlugin = {
  name: "CertificateSubjectRestriction",
  validate(attributes) {
    const { definition, operation, subresource } = attributes;
    if (operation !== "CREATE" || subresource || definition.group !== "certificates.k8s.io") return;
    if (definition.resource !== "certificatesigningrequests") return;
    const csr = attributes.object as CertificateSigningRequest;
    if (csr.spec?.signerName !== signer) return;
    let groups: string[];
    try {
      groups = organizationsOf(parseCertificateRequestPem(Buffer.from(csr.spec.request ?? "", "base64")).subject);
    } catch (error) {
      throw ApiError.internal(`failed to parse CSR: ${(error as Error).message}`);
    }
    if (groups.includes("system:masters"))
      throw ApiError.forbidden(
        definition.group,
        definition.resource,
        attributes.name,
        `use of ${signer} signer with system:masters group is not allowed`,
      );
  },
};
