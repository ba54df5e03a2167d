export { buildCertificateRequest } from "./buildCertificateRequest";
export {
  type CertificateFields,
  certificateTime,
  distinguishedName,
  extension,
  pem,
  signCertificate,
} from "./certificate";
export {
  type CertificateRequest,
  checkRequestSignature,
  commonNameOf,
  decodePem,
  type NameAttribute,
  organizationsOf,
  parseCertificateRequest,
  parseCertificateRequestPem,
} from "./certificateRequest";
export { clientCertificateIdentity } from "./clientCertificateIdentity";
export { bitString, booleanTrue, oid, sequence, tlv, utcTime } from "./der";
export { type SigningAuthority, type SigningPolicy, signRequest } from "./signRequest";
