/**
 * core/v1 services: SetDefaults_Service, the REST layer's ClusterIP and NodePort allocation
 * (pkg/registry/core/service/storage), ValidateService/ValidateServiceUpdate and printService.
 */
import type { Service, ServicePort } from "../../../api/core";
import type { FieldError, ResourceDefinition, StrategyContext } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, formatLabels, nameColumn, translateTimestampSince } from "../support/printing";
import {
  duplicate,
  forbidden,
  invalid,
  isDns1123Subdomain,
  isValidIp,
  isValidPortName,
  isValidPortNumber,
  nameIsDns1035Label,
  notSupported,
  required,
  validateLabels,
  validateObjectMeta,
} from "../support/validation";

const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const protocols = ["SCTP", "TCP", "UDP"];

const needsNodePorts = (service: Service) =>
  service.spec?.type === "NodePort" ||
  (service.spec?.type === "LoadBalancer" && service.spec.allocateLoadBalancerNodePorts !== false);
const isHeadless = (service: Service) => service.spec?.clusterIP === "None" || service.spec?.clusterIPs?.[0] === "None";

function defaultService(service: Service): void {
  service.spec ??= {};
  const spec = service.spec;
  if (!spec.sessionAffinity) spec.sessionAffinity = "None";
  if (spec.sessionAffinity === "ClientIP") {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (!spec.type) spec.type = "ClusterIP";
  for (const port of spec.ports ?? []) {
    if (!port.protocol) port.protocol = "TCP";
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port;
  }
  if ((spec.type === "NodePort" || spec.type === "LoadBalancer") && !spec.externalTrafficPolicy) {
    spec.externalTrafficPolicy = "Cluster";
  }
  if (spec.type !== "ExternalName" && !spec.internalTrafficPolicy) spec.internalTrafficPolicy = "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  // clusterIP and clusterIPs mirror each other (the v1 conversion keeps them in step).
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
}

function validatePorts(service: Service): FieldError[] {
  const errors: FieldError[] = [];
  const spec = service.spec ?? {};
  const ports = spec.ports ?? [];
  if (ports.length === 0 && spec.type !== "ExternalName" && !isHeadless(service)) errors.push(required("spec.ports"));
  if (spec.type === "ExternalName" && ports.length === 0) return errors;
  const names = new Set<string>();
  ports.forEach((port, index) => {
    const path = `spec.ports[${index}]`;
    if (ports.length > 1 && !port.name) errors.push(required(`${path}.name`));
    if (port.name) {
      for (const message of isDnsLabelPortName(port.name)) {
        errors.push(invalid(`${path}.name`, port.name, message));
      }
      if (names.has(port.name)) errors.push(duplicate(`${path}.name`, port.name));
      names.add(port.name);
    }
    for (const message of isValidPortNumber(port.port)) errors.push(invalid(`${path}.port`, port.port, message));
    if (!port.protocol) errors.push(required(`${path}.protocol`));
    else if (!protocols.includes(port.protocol))
      errors.push(notSupported(`${path}.protocol`, port.protocol, protocols));
    if (typeof port.targetPort === "number") {
      for (const message of isValidPortNumber(port.targetPort))
        errors.push(invalid(`${path}.targetPort`, port.targetPort, message));
    } else if (typeof port.targetPort === "string") {
      for (const message of isValidPortName(port.targetPort))
        errors.push(invalid(`${path}.targetPort`, port.targetPort, message));
    }
    if (port.nodePort) {
      if (spec.type !== "NodePort" && spec.type !== "LoadBalancer") {
        errors.push(forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
      } else {
        for (const message of isValidPortNumber(port.nodePort))
          errors.push(invalid(`${path}.nodePort`, port.nodePort, message));
      }
    }
  });
  // Two ports may not share a port number and protocol.
  const seen = new Set<string>();
  ports.forEach((port, index) => {
    const key = `${port.port}/${port.protocol}`;
    if (seen.has(key)) errors.push(duplicate(`spec.ports[${index}]`, { port: port.port, protocol: port.protocol }));
    seen.add(key);
  });
  return errors;
}

/** Service port names are DNS labels (ValidateServicePort uses IsDNS1123Label). */
function isDnsLabelPortName(name: string): string[] {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63
    ? []
    : [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ];
}

function validateService(service: Service): FieldError[] {
  const errors = validateObjectMeta(service.metadata, { namespaced: true, nameValidator: nameIsDns1035Label });
  const spec = service.spec ?? {};
  if (!spec.type) errors.push(required("spec.type"));
  else if (!serviceTypes.includes(spec.type)) errors.push(notSupported("spec.type", spec.type, serviceTypes));
  if (spec.type === "ExternalName") {
    if (!spec.externalName) errors.push(required("spec.externalName"));
    else {
      for (const message of isDns1123Subdomain(spec.externalName.replace(/\.$/, ""))) {
        errors.push(invalid("spec.externalName", spec.externalName, message));
      }
    }
    if (spec.clusterIP && spec.clusterIP !== "None") {
      errors.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
  }
  errors.push(...validatePorts(service));
  if (spec.sessionAffinity && !["ClientIP", "None"].includes(spec.sessionAffinity)) {
    errors.push(notSupported("spec.sessionAffinity", spec.sessionAffinity, ["ClientIP", "None"]));
  }
  const clusterIP = spec.clusterIP;
  if (clusterIP && clusterIP !== "None" && !isValidIp(clusterIP)) {
    errors.push(
      invalid("spec.clusterIPs[0]", clusterIP, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
    );
  }
  (spec.externalIPs ?? []).forEach((ip, index) => {
    if (!isValidIp(ip))
      errors.push(
        invalid(`spec.externalIPs[${index}]`, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
      );
  });
  errors.push(...validateLabels(spec.selector, "spec.selector"));
  if (spec.externalTrafficPolicy && spec.type !== "NodePort" && spec.type !== "LoadBalancer") {
    errors.push(
      invalid(
        "spec.externalTrafficPolicy",
        spec.externalTrafficPolicy,
        "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
      ),
    );
  } else if (spec.externalTrafficPolicy && !["Cluster", "Local"].includes(spec.externalTrafficPolicy)) {
    errors.push(notSupported("spec.externalTrafficPolicy", spec.externalTrafficPolicy, ["Cluster", "Local"]));
  }
  if (spec.internalTrafficPolicy && !["Cluster", "Local"].includes(spec.internalTrafficPolicy)) {
    errors.push(notSupported("spec.internalTrafficPolicy", spec.internalTrafficPolicy, ["Cluster", "Local"]));
  }
  return errors;
}

/** Allocates what the service's type needs: a ClusterIP (or `None`) and NodePorts. */
function allocate(service: Service, context: StrategyContext, old?: Service): void {
  service.spec ??= {};
  const spec = service.spec;
  if (spec.type === "ExternalName") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  } else {
    if (isHeadless(service)) {
      spec.clusterIP = "None";
      spec.clusterIPs = ["None"];
    } else if (!spec.clusterIP) {
      const ip =
        old?.spec?.clusterIP && old.spec.clusterIP !== "None" ? old.spec.clusterIP : context.allocateClusterIP();
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    } else if (spec.clusterIP !== old?.spec?.clusterIP) {
      spec.clusterIP = context.allocateClusterIP(spec.clusterIP);
      spec.clusterIPs = [spec.clusterIP];
    }
    if (!isHeadless(service) || Object.keys(spec.selector ?? {}).length > 0) {
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
    }
  }
  const oldPorts = old?.spec?.ports ?? [];
  for (const [index, port] of (spec.ports ?? []).entries()) {
    if (!needsNodePorts(service)) {
      delete port.nodePort;
      continue;
    }
    // Keep the NodePort an update leaves out (upstream patchAllocatedValues), matching ports by number.
    const previous = oldPorts.find((candidate) => candidate.port === port.port && candidate.protocol === port.protocol);
    if (!port.nodePort && previous?.nodePort) port.nodePort = previous.nodePort;
    else if (!port.nodePort) port.nodePort = context.allocateNodePort();
    else if (port.nodePort !== previous?.nodePort)
      port.nodePort = context.allocateNodePort(port.nodePort, `spec.ports[${index}].nodePort`);
  }
}

function releaseUnused(service: Service, old: Service, context: StrategyContext): void {
  const ip = old.spec?.clusterIP;
  if (ip && ip !== "None" && service.spec?.clusterIP !== ip) context.releaseClusterIP(ip);
  const kept = new Set((service.spec?.ports ?? []).map((port: ServicePort) => port.nodePort).filter(Boolean));
  for (const port of old.spec?.ports ?? [])
    if (port.nodePort && !kept.has(port.nodePort)) context.releaseNodePort(port.nodePort);
}

function validateServiceUpdate(service: Service, old: Service): FieldError[] {
  const errors = validateService(service);
  const oldIPs = old.spec?.clusterIPs ?? (old.spec?.clusterIP ? [old.spec.clusterIP] : []);
  const newIPs = service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []);
  if (
    old.spec?.type !== "ExternalName" &&
    service.spec?.type !== "ExternalName" &&
    oldIPs.length > 0 &&
    newIPs.length > 0
  ) {
    if (oldIPs[0] !== newIPs[0]) errors.push(invalid("spec.clusterIPs[0]", newIPs, "may not change once set"));
  }
  return errors;
}

/** upstream getServiceExternalIP. */
function externalIP(service: Service): string {
  const spec = service.spec ?? {};
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return spec.externalIPs?.length ? spec.externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const ingress = [
        ...new Set(
          (service.status?.loadBalancer?.ingress ?? [])
            .map((entry) => entry.ip || entry.hostname || "")
            .filter(Boolean),
        ),
      ].sort();
      // The server prints wide, so the 16-character clipping of narrow output does not apply.
      if (spec.externalIPs?.length) return [...ingress, ...spec.externalIPs].join(",");
      return ingress.length > 0 ? ingress.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

/** upstream makePortString: `80/TCP`, `80:30080/TCP`. */
export function servicePortString(ports: ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((port) => (port.nodePort ? `${port.port}:${port.nodePort}/${port.protocol}` : `${port.port}/${port.protocol}`))
    .join(",");
}

export const services: ResourceDefinition<Service> = {
  group: "",
  versions: ["v1"],
  resource: "services",
  kind: "Service",
  singular: "service",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  storagePrefix: "services/specs",
  subresources: { status: true },
  strategy: {
    defaults: defaultService,
    prepareForCreate(service, context) {
      service.status = { loadBalancer: {} };
      // Allocate only for a valid service, so a rejected create does not leak addresses.
      if (validateService(service).length === 0) allocate(service, context);
    },
    prepareForUpdate(service, old, context) {
      service.status = structuredClone(old.status ?? { loadBalancer: {} });
      if (validateServiceUpdate(service, old).length === 0) {
        allocate(service, context, old);
        releaseUnused(service, old, context);
      }
    },
    validate: validateService,
    validateUpdate: validateServiceUpdate,
    afterDelete(service, context) {
      const ip = service.spec?.clusterIP;
      if (ip && ip !== "None") context.releaseClusterIP(ip);
      for (const port of service.spec?.ports ?? []) if (port.nodePort) context.releaseNodePort(port.nodePort);
    },
    status: {
      prepareForUpdate(service, old) {
        service.spec = structuredClone(old.spec);
      },
    },
  },
  table: {
    columns: [
      nameColumn(),
      column("Type", "string", ["V1ServiceSpec", "type"]),
      column("Cluster-IP", "string", ["V1ServiceSpec", "clusterIP"]),
      column("External-IP", "string", ["V1ServiceSpec", "externalIPs"]),
      column("Port(s)", "string", ["V1ServiceSpec", "ports"]),
      ageColumn(),
      column("Selector", "string", ["V1ServiceSpec", "selector"], 1),
    ],
    cells(service, now) {
      const ports = servicePortString(service.spec?.ports);
      return [
        service.metadata.name ?? "",
        service.spec?.type ?? "",
        service.spec?.clusterIPs?.[0] ?? "<none>",
        externalIP(service),
        ports || "<none>",
        translateTimestampSince(service.metadata.creationTimestamp, now),
        formatLabels(service.spec?.selector),
      ];
    },
  },
  schema: kindSchema("", "v1", "Service"),
  schemaComponents,
};
