/**
 * certificates.k8s.io/v1 certificatesigningrequests: pkg/registry/certificates/certificates'
 * strategies (the main one, `/status` for the signer, `/approval` for approvers),
 * pkg/apis/certificates/validation and printCertificateSigningRequest.
 */
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from "../../../api/certificates";
import { toRfc3339 } from "../../../clock/Clock";
import { checkRequestSignature, decodePem, parseCertificateRequest, parseCertificateRequestPem } from "../../../pki";
import { ApiError } from "../../ApiError";
import type { FieldError, ResourceDefinition, StrategyContext } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, humanDuration, nameColumn, translateTimestampSince } from "../support/printing";
import {
  duplicate,
  forbidden,
  invalid,
  isDns1123Label,
  isDns1123Subdomain,
  jsonEqual,
  notSupported,
  required,
  tooLong,
  validateObjectMeta,
} from "../support/validation";

/** The usages the API accepts (sets.NewString(...).List(): sorted). */
export const KEY_USAGES = [
  "any",
  "cert sign",
  "client auth",
  "code signing",
  "content commitment",
  "crl sign",
  "data encipherment",
  "decipher only",
  "digital signature",
  "email protection",
  "encipher only",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "key agreement",
  "key encipherment",
  "microsoft sgc",
  "netscape sgc",
  "ocsp signing",
  "s/mime",
  "server auth",
  "signing",
  "timestamping",
];

const APPROVAL_TYPES = ["Approved", "Denied"];
const TERMINAL_TYPES = ["Approved", "Denied", "Failed"];

/**
 * The bytes of a `[]byte` field, as Go's JSON decoder reads base64 (strictly: a bad character or a
 * missing pad is a decoding error, 400 BadRequest, before any validation).
 */
export function decodeBytesField(value: string | undefined): Buffer {
  const text = value ?? "";
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  let at = bad ? bad.index : -1;
  if (at < 0) {
    const padding = text.indexOf("=");
    if (padding >= 0 && !/^={1,2}$/.test(text.slice(padding))) at = padding;
    else if (text.length % 4 !== 0) at = text.length - (text.length % 4);
  }
  if (at >= 0)
    throw ApiError.badRequest(
      `CertificateSigningRequest in version "v1" cannot be handled as a CertificateSigningRequest: illegal base64 data at input byte ${at}`,
    );
  return Buffer.from(text, "base64");
}

/** Go's %#v of a []byte, as field.Invalid prints a bad request value. */
function goBytes(bytes: Buffer): string {
  return `[]byte{${[...bytes].map((byte) => `0x${byte.toString(16)}`).join(", ")}}`;
}

/** upstream validateCSR: the request parses as a PEM CERTIFICATE REQUEST and its signature holds. */
function requestError(request: Buffer): string | undefined {
  try {
    checkRequestSignature(parseCertificateRequestPem(request));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** upstream ValidateSignerName (pkg/apis/core/validation). */
export function validateSignerName(field: string, signerName: string): FieldError[] {
  if (!signerName) return [required(field)];
  const segments = signerName.split("/");
  if (segments.length !== 2)
    return [
      invalid(field, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'"),
    ];
  const [domain, path] = segments as [string, string];
  const errors: FieldError[] = [];
  if (domain.length > 253) errors.push(tooLong(field, "", 253));
  const domainLabels = domain.split(".");
  for (const label of domainLabels) {
    const messages = isDns1123Label(label);
    if (messages.length === 0) continue;
    for (const message of messages) errors.push(invalid(field, domain, `validating label "${label}": ${message}`));
    break;
  }
  if (domainLabels.length < 2)
    errors.push(invalid(field, domain, "should be a domain with at least two segments separated by dots"));
  for (const label of path.split(".")) {
    const messages = isDns1123Subdomain(label);
    if (messages.length === 0) continue;
    for (const message of messages) errors.push(invalid(field, path, `validating label "${label}": ${message}`));
    break;
  }
  const maxLength = 253 + 253 + 63 + 1 + 1;
  if (signerName.length > maxLength) errors.push(tooLong(field, "", maxLength));
  return errors;
}

/** What an update path may do (upstream's certificateValidationOptions, compatibility ones included). */
interface ValidationOptions {
  allowSettingApprovalConditions: boolean;
  allowSettingCertificate: boolean;
  /** An old object that already broke a rule keeps being accepted. */
  old?: CertificateSigningRequest;
}

function conditionsOf(csr: CertificateSigningRequest): CertificateSigningRequestCondition[] {
  return csr.status?.conditions ?? [];
}

function hasBothApprovedAndDenied(csr: CertificateSigningRequest | undefined): boolean {
  const types = new Set(csr ? conditionsOf(csr).map((condition) => condition.type) : []);
  return types.has("Approved") && types.has("Denied");
}

function validateConditions(csr: CertificateSigningRequest, options: ValidationOptions): FieldError[] {
  const errors: FieldError[] = [];
  const old = options.old;
  const allowDuplicates = !!old && new Set(conditionsOf(old).map((c) => c.type)).size !== conditionsOf(old).length;
  const allowEmptyType = !!old && conditionsOf(old).some((condition) => !condition.type);
  const allowBoth = hasBothApprovedAndDenied(old);
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((condition, index) => {
    const path = `status.conditions[${index}]`;
    if (!allowEmptyType && !condition.type) errors.push(required(`${path}.type`));
    const allowed = TERMINAL_TYPES.includes(condition.type) ? ["True"] : ["False", "True", "Unknown"];
    if (!condition.status) errors.push(required(`${path}.status`));
    else if (!allowed.includes(condition.status))
      errors.push(notSupported(`${path}.status`, condition.status, allowed));
    if (!allowBoth) {
      if (condition.type === "Approved") {
        approved = true;
        if (denied)
          errors.push(invalid(`${path}.type`, condition.type, "Approved and Denied conditions are mutually exclusive"));
      } else if (condition.type === "Denied") {
        denied = true;
        if (approved)
          errors.push(invalid(`${path}.type`, condition.type, "Approved and Denied conditions are mutually exclusive"));
      }
    }
    if (!allowDuplicates && seen.has(condition.type)) errors.push(duplicate(`${path}.type`, condition.type));
    seen.add(condition.type);
  });
  return errors;
}

/** upstream validateCertificate: status.certificate holds only CERTIFICATE PEM blocks, at least one. */
function certificateError(pemText: string): string | undefined {
  if (!pemText) return undefined;
  let rest = pemText;
  let blocks = 0;
  for (;;) {
    const block = decodePem(rest);
    if (!block) break;
    if (block.type !== "CERTIFICATE") return `only CERTIFICATE PEM blocks are allowed, found "${block.type}"`;
    blocks++;
    rest = rest.slice(rest.indexOf(`-----END ${block.type}-----`) + `-----END ${block.type}-----`.length);
  }
  return blocks === 0 ? "must contain at least one CERTIFICATE PEM block" : undefined;
}

function validateCsr(csr: CertificateSigningRequest, options: ValidationOptions): FieldError[] {
  const errors = validateObjectMeta(csr.metadata, { namespaced: false, nameValidator: () => [] });
  const spec = csr.spec ?? ({} as CertificateSigningRequest["spec"]);
  const request = decodeBytesField(spec.request);
  const problem = requestError(request);
  if (problem) errors.push({ ...invalid("spec.request", undefined, problem), renderedBadValue: goBytes(request) });
  const usages = spec.usages ?? [];
  if (usages.length === 0) errors.push(required("spec.usages"));
  const old = options.old;
  if (!old?.spec?.usages?.some((usage) => !KEY_USAGES.includes(usage))) {
    usages.forEach((usage, index) => {
      if (!KEY_USAGES.includes(usage)) errors.push(notSupported(`spec.usages[${index}]`, usage, KEY_USAGES));
    });
  }
  if (!old || new Set(old.spec?.usages ?? []).size === (old.spec?.usages ?? []).length) {
    const seen = new Set<string>();
    usages.forEach((usage, index) => {
      if (seen.has(usage)) errors.push(duplicate(`spec.usages[${index}]`, usage));
      seen.add(usage);
    });
  }
  if (spec.signerName === "kubernetes.io/legacy-unknown" && old?.spec?.signerName !== spec.signerName)
    errors.push(
      invalid("spec.signerName", spec.signerName, "the legacy signerName is not allowed via this API version"),
    );
  else errors.push(...validateSignerName("spec.signerName", spec.signerName ?? ""));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600)
    errors.push(
      invalid(
        "spec.expirationSeconds",
        spec.expirationSeconds,
        "may not specify a duration less than 600 seconds (10 minutes)",
      ),
    );
  errors.push(...validateConditions(csr, options));
  const certificate = csr.status?.certificate ?? "";
  const untouched = !!old && (old.status?.certificate ?? "") === certificate;
  const oldInvalid =
    !!old && certificateError(decodeBytesField(old.status?.certificate).toString("latin1")) !== undefined;
  if (!untouched && !oldInvalid) {
    const message = certificateError(decodeBytesField(certificate).toString("latin1"));
    if (message) errors.push(invalid("status.certificate", "<certificate data>", message));
  }
  return errors;
}

/** upstream validateCertificateSigningRequestUpdate. */
function validateCsrUpdate(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
  options: Omit<ValidationOptions, "old">,
): FieldError[] {
  const errors = validateCsr(csr, { ...options, old });
  const ofType = (object: CertificateSigningRequest, type: string) =>
    conditionsOf(object).filter((condition) => condition.type === type);
  for (const type of TERMINAL_TYPES) {
    if (ofType(csr, type).length < ofType(old, type).length)
      errors.push(forbidden("status.conditions", `updates may not remove a condition of type "${type}"`));
  }
  if (!options.allowSettingApprovalConditions) {
    for (const type of APPROVAL_TYPES) {
      const before = ofType(old, type);
      const after = ofType(csr, type);
      if (after.length > before.length)
        errors.push(forbidden("status.conditions", `updates may not add a condition of type "${type}"`));
      else if (after.length === before.length && !jsonEqual(before, after))
        errors.push(forbidden("status.conditions", `updates may not modify a condition of type "${type}"`));
    }
  }
  if ((csr.status?.certificate ?? "") !== (old.status?.certificate ?? "")) {
    if (!options.allowSettingCertificate)
      errors.push(forbidden("status.certificate", "updates may not set certificate content"));
    else if (old.status?.certificate)
      errors.push(forbidden("status.certificate", "updates may not modify existing certificate content"));
  }
  return errors;
}

/**
 * upstream populateConditionTimestamps: a condition without times gets now, or for its transition
 * the time the same type and status already had.
 */
function stampConditions(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
  context: StrategyContext,
): void {
  const now = toRfc3339(context.clock.now());
  for (const condition of conditionsOf(csr)) {
    condition.lastUpdateTime ||= now;
    const previous = conditionsOf(old).find(
      (entry) => entry.type === condition.type && entry.status === condition.status && entry.lastTransitionTime,
    );
    condition.lastTransitionTime ||= previous?.lastTransitionTime ?? now;
  }
}

/** extractCSRStatus: Denied or Approved or Pending, then Failed, then Issued. */
export function csrCondition(csr: CertificateSigningRequest): string {
  const types = new Set(conditionsOf(csr).map((condition) => condition.type));
  let status = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) status += ",Failed";
  if (csr.status?.certificate) status += ",Issued";
  return status;
}

export const certificateSigningRequests: ResourceDefinition<CertificateSigningRequest> = {
  group: "certificates.k8s.io",
  versions: ["v1"],
  resource: "certificatesigningrequests",
  kind: "CertificateSigningRequest",
  singular: "certificatesigningrequest",
  namespaced: false,
  shortNames: ["csr"],
  storagePrefix: "certificatesigningrequests",
  subresources: { status: true, approval: true },
  strategy: {
    prepareForCreate(csr, context) {
      const user = context.user;
      csr.spec = { ...csr.spec };
      delete csr.spec.username;
      delete csr.spec.uid;
      delete csr.spec.groups;
      delete csr.spec.extra;
      if (user) {
        csr.spec.username = user.username;
        if (user.uid) csr.spec.uid = user.uid;
        csr.spec.groups = [...user.groups];
        if (user.extra && Object.keys(user.extra).length > 0) csr.spec.extra = structuredClone(user.extra);
      }
      // Users cannot create pre-approved requests.
      csr.status = {};
    },
    prepareForUpdate(csr, old) {
      csr.spec = structuredClone(old.spec);
      csr.status = structuredClone(old.status);
    },
    validate: (csr) => validateCsr(csr, { allowSettingApprovalConditions: false, allowSettingCertificate: false }),
    validateUpdate: (csr, old) =>
      validateCsrUpdate(csr, old, { allowSettingApprovalConditions: false, allowSettingCertificate: false }),
    status: {
      // The signer's path: the certificate and its own conditions, never spec or the approval.
      prepareForUpdate(csr, old, context) {
        csr.spec = structuredClone(old.spec);
        const certificate = csr.status?.certificate;
        const approvalConditions = conditionsOf(old).filter((condition) => APPROVAL_TYPES.includes(condition.type));
        const others = conditionsOf(csr).filter((condition) => !APPROVAL_TYPES.includes(condition.type));
        csr.status = { ...(old.status ?? {}), conditions: [...approvalConditions, ...others] };
        if (certificate !== undefined) csr.status.certificate = certificate;
        if (csr.status.conditions?.length === 0) delete csr.status.conditions;
        stampConditions(csr, old, context);
      },
      validateUpdate: (csr, old) =>
        validateCsrUpdate(csr, old, { allowSettingApprovalConditions: false, allowSettingCertificate: true }),
    },
    approval: {
      // kubectl certificate approve|deny: only the conditions change.
      prepareForUpdate(csr, old, context) {
        const conditions = structuredClone(conditionsOf(csr));
        csr.spec = structuredClone(old.spec);
        csr.status = { ...structuredClone(old.status ?? {}), conditions };
        if (conditions.length === 0) delete csr.status.conditions;
        stampConditions(csr, old, context);
      },
      validateUpdate: (csr, old) =>
        validateCsrUpdate(csr, old, { allowSettingApprovalConditions: true, allowSettingCertificate: false }),
    },
  },
  table: {
    columns: [
      nameColumn(),
      ageColumn(),
      column("SignerName", "string", ["V1CertificateSigningRequestSpec", "signerName"]),
      column("Requestor", "string", ["V1CertificateSigningRequestSpec", "request"]),
      column("RequestedDuration", "string", ["V1CertificateSigningRequestSpec", "expirationSeconds"]),
      column("Condition", "string", ["V1CertificateSigningRequestStatus", "conditions"]),
    ],
    cells: (csr, now) => [
      csr.metadata.name ?? "",
      translateTimestampSince(csr.metadata.creationTimestamp, now),
      csr.spec?.signerName || "<none>",
      csr.spec?.username ?? "",
      csr.spec?.expirationSeconds === undefined ? "<none>" : humanDuration(csr.spec.expirationSeconds * 1000),
      csrCondition(csr),
    ],
  },
  schema: kindSchema("certificates.k8s.io", "v1", "CertificateSigningRequest"),
  schemaComponents,
};

/** For the signer and tests: the request of a stored CSR, parsed. */
export function csrRequest(csr: CertificateSigningRequest) {
  const block = decodePem(decodeBytesField(csr.spec.request).toString("latin1"));
  if (!block) throw new Error("PEM block type must be CERTIFICATE REQUEST");
  return parseCertificateRequest(block.der);
}
