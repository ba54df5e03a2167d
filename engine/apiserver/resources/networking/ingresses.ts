/** networking.k8s.io/v1 ingresses: ValidateIngress and printIngress. */
import type { Ingress, IngressBackend } from "../../../api/networking";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  forbidden,
  invalid,
  isDns1035Label,
  isDns1123Subdomain,
  isValidPortName,
  isValidPortNumber,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
} from "../support/validation";

const pathTypes = ["Exact", "ImplementationSpecific", "Prefix"];

function validateBackend(backend: IngressBackend | undefined, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!backend) return [required(field)];
  if (backend.service && backend.resource)
    errors.push(invalid(field, "", "cannot set both service and resource backends"));
  else if (!backend.service && !backend.resource)
    errors.push(invalid(field, "", "resource or service backend is required"));
  const service = backend.service;
  if (service) {
    if (!service.name) errors.push(required(`${field}.service.name`));
    else
      for (const message of isDns1035Label(service.name))
        errors.push(invalid(`${field}.service.name`, service.name, message));
    const port = service.port;
    if (port?.name && port.number)
      errors.push(invalid(`${field}.service.port`, "", "cannot set both port name & port number"));
    else if (port?.name)
      for (const message of isValidPortName(port.name))
        errors.push(invalid(`${field}.service.port.name`, port.name, message));
    else if (port?.number) {
      for (const message of isValidPortNumber(port.number))
        errors.push(invalid(`${field}.service.port.number`, port.number, message));
    } else errors.push(required(`${field}.service.port`, "port name or number is required"));
  }
  return errors;
}

function validateIngress(ingress: Ingress): FieldError[] {
  const errors = validateObjectMeta(ingress.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const spec = ingress.spec ?? {};
  if (!spec.defaultBackend && (!spec.rules || spec.rules.length === 0)) {
    errors.push(invalid("spec", "", "either `defaultBackend` or `rules` must be specified"));
  }
  if (spec.defaultBackend) errors.push(...validateBackend(spec.defaultBackend, "spec.defaultBackend"));
  (spec.rules ?? []).forEach((rule, index) => {
    const path = `spec.rules[${index}]`;
    if (rule.host) {
      const host = rule.host.startsWith("*.") ? rule.host.slice(2) : rule.host;
      if (rule.host.includes("*") && !rule.host.startsWith("*.")) {
        errors.push(
          invalid(
            `${path}.host`,
            rule.host,
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
          ),
        );
      } else {
        for (const message of isDns1123Subdomain(host)) errors.push(invalid(`${path}.host`, rule.host, message));
      }
    }
    if (!rule.http) return;
    if (!rule.http.paths || rule.http.paths.length === 0) errors.push(required(`${path}.http.paths`));
    (rule.http.paths ?? []).forEach((httpPath, pathIndex) => {
      const at = `${path}.http.paths[${pathIndex}]`;
      if (!httpPath.pathType) errors.push(required(`${at}.pathType`, "pathType must be specified"));
      else if (!pathTypes.includes(httpPath.pathType))
        errors.push(notSupported(`${at}.pathType`, httpPath.pathType, pathTypes));
      if ((httpPath.pathType === "Exact" || httpPath.pathType === "Prefix") && !(httpPath.path ?? "").startsWith("/")) {
        errors.push(invalid(`${at}.path`, httpPath.path ?? "", "must be an absolute path"));
      }
      errors.push(...validateBackend(httpPath.backend, `${at}.backend`));
    });
  });
  (spec.tls ?? []).forEach((tls, index) => {
    for (const host of tls.hosts ?? []) {
      const bare = host.startsWith("*.") ? host.slice(2) : host;
      for (const message of isDns1123Subdomain(bare)) errors.push(invalid(`spec.tls[${index}].hosts`, host, message));
    }
  });
  if (spec.ingressClassName) {
    for (const message of isDns1123Subdomain(spec.ingressClassName))
      errors.push(invalid("spec.ingressClassName", spec.ingressClassName, message));
    if (ingress.metadata.annotations?.["kubernetes.io/ingress.class"]) {
      errors.push(forbidden("annotations", "can not be set when the class field is also set"));
    }
  }
  return errors;
}

/** formatHosts: up to three hosts, `*` when none. */
function formatHosts(ingress: Ingress): string {
  const rules = ingress.spec?.rules ?? [];
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return "*";
  const text = list.join(",");
  return more ? `${text} + ${rules.length - max} more...` : text;
}

function ingressAddress(ingress: Ingress): string {
  const values = (ingress.status?.loadBalancer?.ingress ?? [])
    .map((entry) => entry.ip || entry.hostname || "")
    .filter(Boolean);
  return [...new Set(values)].sort().join(",");
}

export const ingresses: ResourceDefinition<Ingress> = {
  group: "networking.k8s.io",
  versions: ["v1"],
  resource: "ingresses",
  kind: "Ingress",
  singular: "ingress",
  namespaced: true,
  shortNames: ["ing"],
  storagePrefix: "ingress",
  subresources: { status: true },
  strategy: specStatusStrategy<Ingress>(
    { validate: validateIngress, validateUpdate: validateIngress },
    { initialStatus: () => ({ loadBalancer: {} }) },
  ),
  table: {
    columns: [
      nameColumn(),
      column(
        "Class",
        "string",
        "The name of the IngressClass resource that should be used for additional configuration",
      ),
      column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
      column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
      column("Ports", "string", "Ports of TLS configurations that open"),
      ageColumn(),
    ],
    cells: (ingress, now) => [
      ingress.metadata.name ?? "",
      ingress.spec?.ingressClassName ?? "<none>",
      formatHosts(ingress),
      ingressAddress(ingress),
      (ingress.spec?.tls ?? []).length > 0 ? "80, 443" : "80",
      translateTimestampSince(ingress.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("networking.k8s.io", "v1", "Ingress"),
  schemaComponents,
};
