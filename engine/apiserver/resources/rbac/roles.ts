/** rbac.authorization.k8s.io/v1 roles and clusterroles (no printer upstream: Name/Created At). */
import type { ClusterRole, Role } from "../../../api/rbac";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { defaultTableConvertor } from "../support/printing";
import { nameIsPathSegment, validateLabelSelector, validateObjectMeta } from "../support/validation";
import { rbacGroup, validateRules } from "./rbac";

function validateRole(role: Role): FieldError[] {
  return [
    ...validateObjectMeta(role.metadata, { namespaced: true, nameValidator: nameIsPathSegment }),
    ...validateRules(role.rules, true),
  ];
}

function validateClusterRole(role: ClusterRole): FieldError[] {
  const errors = [
    ...validateObjectMeta(role.metadata, { namespaced: false, nameValidator: nameIsPathSegment }),
    ...validateRules(role.rules, false),
  ];
  (role.aggregationRule?.clusterRoleSelectors ?? []).forEach((selector, index) => {
    errors.push(...validateLabelSelector(selector, `aggregationRule.clusterRoleSelectors[${index}]`));
  });
  return errors;
}

export const roles: ResourceDefinition<Role> = {
  group: rbacGroup,
  versions: ["v1"],
  resource: "roles",
  kind: "Role",
  singular: "role",
  namespaced: true,
  storagePrefix: "roles",
  strategy: { validate: validateRole, validateUpdate: validateRole },
  table: defaultTableConvertor(),
  schema: kindSchema(rbacGroup, "v1", "Role"),
  schemaComponents,
};

export const clusterRoles: ResourceDefinition<ClusterRole> = {
  group: rbacGroup,
  versions: ["v1"],
  resource: "clusterroles",
  kind: "ClusterRole",
  singular: "clusterrole",
  namespaced: false,
  storagePrefix: "clusterroles",
  strategy: { validate: validateClusterRole, validateUpdate: validateClusterRole },
  table: defaultTableConvertor(),
  schema: kindSchema(rbacGroup, "v1", "ClusterRole"),
  schemaComponents,
};
