/** core/v1 serviceaccounts: ValidateServiceAccount and printServiceAccount. */
import type { ServiceAccount } from "../../../api/core";
import type { ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { nameIsDnsSubdomain, validateObjectMeta } from "../support/validation";

const validate = (account: ServiceAccount) =>
  validateObjectMeta(account.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });

export const serviceAccounts: ResourceDefinition<ServiceAccount> = {
  group: "",
  versions: ["v1"],
  resource: "serviceaccounts",
  kind: "ServiceAccount",
  singular: "serviceaccount",
  namespaced: true,
  shortNames: ["sa"],
  storagePrefix: "serviceaccounts",
  strategy: { validate, validateUpdate: validate },
  table: {
    columns: [nameColumn(), column("Secrets", "string", ["V1ServiceAccount", "secrets"]), ageColumn()],
    cells: (account, now) => [
      account.metadata.name ?? "",
      (account.secrets ?? []).length,
      translateTimestampSince(account.metadata.creationTimestamp, now),
    ],
  },
  schema: kindSchema("", "v1", "ServiceAccount"),
  schemaComponents,
};
