export {
  type CertificateFields,
  certificateTime,
  distinguishedName,
  extension,
  pem,
  signCertificate,
} from "./certificate";
export { bitString, booleanTrue, oid, sequence, tlv, utcTime } from "./der";
