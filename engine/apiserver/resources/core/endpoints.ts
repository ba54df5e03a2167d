/** core/v1 endpoints: ValidateEndpoints and printEndpoints. */
import type { Endpoints } from "../../../api/core";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  invalid,
  isValidIp,
  isValidPortNumber,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateObjectMeta,
} from "../support/validation";

function validateEndpoints(endpoints: Endpoints): FieldError[] {
  const errors = validateObjectMeta(endpoints.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  (endpoints.subsets ?? []).forEach((subset, index) => {
    const path = `subsets[${index}]`;
    for (const [list, name] of [
      [subset.addresses, "addresses"],
      [subset.notReadyAddresses, "notReadyAddresses"],
    ] as const) {
      (list ?? []).forEach((address, addressIndex) => {
        if (!isValidIp(address.ip)) {
          errors.push(invalid(`${path}.${name}[${addressIndex}].ip`, address.ip, "must be a valid IP address"));
        }
      });
    }
    (subset.ports ?? []).forEach((port, portIndex) => {
      const portPath = `${path}.ports[${portIndex}]`;
      for (const message of isValidPortNumber(port.port)) errors.push(invalid(`${portPath}.port`, port.port, message));
      if (!port.protocol) errors.push(required(`${portPath}.protocol`));
      else if (!["SCTP", "TCP", "UDP"].includes(port.protocol)) {
        errors.push(notSupported(`${portPath}.protocol`, port.protocol, ["SCTP", "TCP", "UDP"]));
      }
    });
  });
  return errors;
}

/** upstream formatEndpoints: up to three `ip:port`, then `+ N more...`; `<none>` without subsets. */
export function formatEndpoints(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    if (!subset.ports || subset.ports.length === 0) {
      // Headless services may have endpoints without ports.
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(address.ip);
      }
      continue;
    }
    for (const port of subset.ports) {
      count += addresses.length;
      for (const address of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(address.ip.includes(":") ? `[${address.ip}]:${port.port}` : `${address.ip}:${port.port}`);
      }
    }
  }
  const text = list.join(",");
  return more ? `${text} + ${count - max} more...` : text;
}

export const endpoints: ResourceDefinition<Endpoints> = {
  group: "",
  versions: ["v1"],
  resource: "endpoints",
  kind: "Endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  storagePrefix: "services/endpoints",
  strategy: {
    defaults(endpoints) {
      for (const subset of endpoints.subsets ?? []) for (const port of subset.ports ?? []) port.protocol ||= "TCP";
    },
    validate: validateEndpoints,
    validateUpdate: validateEndpoints,
  },
  table: {
    columns: [nameColumn(), column("Endpoints", "string", ["V1Endpoints", "subsets"]), ageColumn()],
    cells: (endpoints, now) => [
      endpoints.metadata.name ?? "",
      formatEndpoints(endpoints),
      translateTimestampSince(endpoints.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("", "v1", "Endpoints"),
  schemaComponents,
};
