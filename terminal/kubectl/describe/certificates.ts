import { parseCertificateRequestPem } from "../../../engine/pki";
import type { NameAttribute } from "../../../engine/pki/certificateRequest";
import type { KubeObject } from "../commands/common";
import { KubectlError } from "../errors";
import { type Any, type DescribeContext, describeEvents, searchEvents } from "./context";
import { DescribeWriter, formatLabelMap, humanDuration, rfc1123z } from "./format";

/** extractCSRStatus: Denied, Approved or Pending, then Failed and Issued. */
function csrStatus(csr: Any): string {
  const types = new Set<string>((csr.status?.conditions ?? []).map((condition: Any) => condition.type));
  let status = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) status += ",Failed";
  if (csr.status?.certificate) status += ",Issued";
  return status;
}

/** The values of one subject attribute type, in the request's order. */
const valuesOf = (subject: NameAttribute[], type: string) =>
  subject.filter((attribute) => attribute.type === type).map((attribute) => attribute.value);

/** printListHelper: `Title:\tfirst` then each further value on its own line under the first. */
function list(w: DescribeWriter, prefix: string, title: string, values: string[]): void {
  if (values.length === 0) return;
  w.write(0, `${prefix}${title}:\t${values.join(`\n${prefix}\t`)}\n`);
}

/** CertificateSigningRequestDescriber (certificates.k8s.io/v1). */
export async function describeCertificateSigningRequest(context: DescribeContext, object: KubeObject): Promise<string> {
  const csr = object as Any;
  let request: ReturnType<typeof parseCertificateRequestPem>;
  try {
    request = parseCertificateRequestPem(Buffer.from(csr.spec?.request ?? "", "base64"));
  } catch (error) {
    throw new KubectlError(`error: Error parsing CSR: ${(error as Error).message}`);
  }
  const events = await searchEvents(context, object);
  const w = new DescribeWriter();
  const spec = csr.spec ?? {};
  w.write(0, `Name:\t${csr.metadata?.name ?? ""}\n`);
  w.write(0, `Labels:\t${formatLabelMap(csr.metadata?.labels)}\n`);
  w.write(0, `Annotations:\t${formatLabelMap(csr.metadata?.annotations)}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(csr.metadata?.creationTimestamp)}\n`);
  w.write(0, `Requesting User:\t${spec.username ?? ""}\n`);
  if (spec.signerName) w.write(0, `Signer:\t${spec.signerName}\n`);
  if (spec.expirationSeconds !== undefined)
    w.write(0, `Requested Duration:\t${humanDuration(spec.expirationSeconds * 1000)}\n`);
  w.write(0, `Status:\t${csrStatus(csr)}\n`);
  const subject = request.subject;
  w.write(0, "Subject:\n");
  // pkix.Name keeps the last CN and serial number it reads.
  w.write(0, `\tCommon Name:\t${valuesOf(subject, "2.5.4.3").at(-1) ?? ""}\n`);
  w.write(0, `\tSerial Number:\t${valuesOf(subject, "2.5.4.5").at(-1) ?? ""}\n`);
  list(w, "\t", "Organization", valuesOf(subject, "2.5.4.10"));
  list(w, "\t", "Organizational Unit", valuesOf(subject, "2.5.4.11"));
  list(w, "\t", "Country", valuesOf(subject, "2.5.4.6"));
  list(w, "\t", "Locality", valuesOf(subject, "2.5.4.7"));
  list(w, "\t", "Province", valuesOf(subject, "2.5.4.8"));
  list(w, "\t", "StreetAddress", valuesOf(subject, "2.5.4.9"));
  list(w, "\t", "PostalCode", valuesOf(subject, "2.5.4.17"));
  const names =
    request.dnsNames.length + request.emailAddresses.length + request.ipAddresses.length + request.uris.length;
  if (names > 0) {
    w.write(0, "Subject Alternative Names:\n");
    list(w, "\t", "DNS Names", request.dnsNames);
    list(w, "\t", "Email Addresses", request.emailAddresses);
    list(w, "\t", "IP Addresses", request.ipAddresses);
    list(w, "\t", "URIs", request.uris);
  }
  describeEvents(w, events, context.now);
  return w.toString();
}
