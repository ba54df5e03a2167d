/** discovery.k8s.io/v1 endpointslices: defaults, ValidateEndpointSlice(Update) and printEndpointSlice. */
import type { EndpointSlice } from "../../../api/discovery";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  isValidIp,
  jsonEqual,
  nameIsDnsSubdomain,
  notSupported,
  required,
  validateImmutable,
  validateObjectMeta,
} from "../support/validation";

const addressTypes = ["FQDN", "IPv4", "IPv6"];

function validateSlice(slice: EndpointSlice): FieldError[] {
  const errors = validateObjectMeta(slice.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  if (!slice.addressType) errors.push(required("addressType"));
  else if (!addressTypes.includes(slice.addressType))
    errors.push(notSupported("addressType", slice.addressType, addressTypes));
  if ((slice.endpoints ?? []).length > 1000)
    errors.push({
      type: "FieldValueTooMany",
      field: "endpoints",
      badValue: slice.endpoints.length,
      detail: "must have at most 1000 items",
    });
  (slice.endpoints ?? []).forEach((endpoint, index) => {
    const addresses = endpoint.addresses ?? [];
    if (addresses.length === 0)
      errors.push(required(`endpoints[${index}].addresses`, "must contain at least 1 address"));
    if (addresses.length > 100)
      errors.push({
        type: "FieldValueTooMany",
        field: `endpoints[${index}].addresses`,
        badValue: addresses.length,
        detail: "must have at most 100 items",
      });
    addresses.forEach((address, addressIndex) => {
      if ((slice.addressType === "IPv4" || slice.addressType === "IPv6") && !isValidIp(address)) {
        errors.push(invalid(`endpoints[${index}].addresses[${addressIndex}]`, address, "must be a valid IP address"));
      }
    });
  });
  return errors;
}

/** Up to three items, then `+ N more...`; `<unset>` when empty (listWithMoreString). */
function listWithMore(items: string[]): string {
  const max = 3;
  if (items.length > max) return `${items.slice(0, max).join(",")} + ${items.length - max} more...`;
  return items.length === 0 ? "<unset>" : items.join(",");
}

export const endpointSlices: ResourceDefinition<EndpointSlice> = {
  group: "discovery.k8s.io",
  versions: ["v1"],
  resource: "endpointslices",
  kind: "EndpointSlice",
  singular: "endpointslice",
  namespaced: true,
  storagePrefix: "endpointslices",
  strategy: {
    ...specStatusStrategy<EndpointSlice>({
      defaults(slice) {
        for (const port of slice.ports ?? []) {
          port.protocol ??= "TCP";
          port.name ??= "";
        }
        slice.endpoints ??= [];
      },
      validate: validateSlice,
      validateUpdate: (slice, old) => [
        ...validateSlice(slice),
        ...validateImmutable(slice.addressType, old.addressType, "addressType"),
      ],
    }),
    // An EndpointSlice has no spec: its generation follows its endpoints, ports and address type.
    prepareForUpdate(slice, old) {
      const changed =
        !jsonEqual(slice.endpoints, old.endpoints) ||
        !jsonEqual(slice.ports, old.ports) ||
        slice.addressType !== old.addressType;
      slice.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
    },
    status: undefined,
  },
  table: {
    columns: [
      nameColumn(),
      column("AddressType", "string", ["V1EndpointSlice", "addressType"]),
      column("Ports", "string", ["V1EndpointSlice", "ports"]),
      column("Endpoints", "string", ["V1EndpointSlice", "endpoints"]),
      ageColumn(),
    ],
    cells(slice, now) {
      const ports = (slice.ports ?? []).map((port) =>
        port.port !== undefined && port.port !== null ? String(port.port) : port.name ? port.name : "*",
      );
      const addresses = (slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses ?? []);
      return [
        slice.metadata.name ?? "",
        slice.addressType ?? "",
        listWithMore(ports),
        listWithMore(addresses),
        translateTimestampSince(slice.metadata.creationTimestamp, now),
      ];
    },
  },
  schema: kindSchema("discovery.k8s.io", "v1", "EndpointSlice"),
  schemaComponents,
};
