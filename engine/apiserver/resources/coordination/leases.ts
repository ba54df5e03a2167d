/** coordination.k8s.io/v1 leases: ValidateLease and printLease. */
import type { Lease } from "../../../api/coordination";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { invalid, nameIsDnsSubdomain, validateNonnegative, validateObjectMeta } from "../support/validation";

function validateLease(lease: Lease): FieldError[] {
  const errors = validateObjectMeta(lease.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  const duration = lease.spec?.leaseDurationSeconds;
  if (duration !== undefined && duration <= 0)
    errors.push(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"));
  errors.push(...validateNonnegative(lease.spec?.leaseTransitions, "spec.leaseTransitions"));
  return errors;
}

export const leases: ResourceDefinition<Lease> = {
  group: "coordination.k8s.io",
  versions: ["v1"],
  resource: "leases",
  kind: "Lease",
  singular: "lease",
  namespaced: true,
  storagePrefix: "leases",
  strategy: { validate: validateLease, validateUpdate: validateLease },
  table: {
    columns: [nameColumn(), column("Holder", "string", ["V1LeaseSpec", "holderIdentity"]), ageColumn()],
    cells: (lease, now) => [
      lease.metadata.name ?? "",
      lease.spec?.holderIdentity ?? "",
      translateTimestampSince(lease.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("coordination.k8s.io", "v1", "Lease"),
  schemaComponents,
};
