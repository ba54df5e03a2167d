/** rbac.authorization.k8s.io/v1 rolebindings and clusterrolebindings. */
import type { ClusterRoleBinding, RoleBinding } from "../../../api/rbac";
import type { ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { bindingTable, rbacGroup, validateBinding, validateRoleRefUnchanged } from "./rbac";

export const roleBindings: ResourceDefinition<RoleBinding> = {
  group: rbacGroup,
  versions: ["v1"],
  resource: "rolebindings",
  kind: "RoleBinding",
  singular: "rolebinding",
  namespaced: true,
  storagePrefix: "rolebindings",
  strategy: {
    validate: (binding) => validateBinding(binding, true),
    validateUpdate: (binding, old) => [
      ...validateBinding(binding, true),
      ...validateRoleRefUnchanged(binding.roleRef, old.roleRef),
    ],
  },
  table: bindingTable<RoleBinding>("V1RoleBinding"),
  schema: kindSchema(rbacGroup, "v1", "RoleBinding"),
  schemaComponents,
};

export const clusterRoleBindings: ResourceDefinition<ClusterRoleBinding> = {
  group: rbacGroup,
  versions: ["v1"],
  resource: "clusterrolebindings",
  kind: "ClusterRoleBinding",
  singular: "clusterrolebinding",
  namespaced: false,
  storagePrefix: "clusterrolebindings",
  strategy: {
    validate: (binding) => validateBinding(binding, false),
    validateUpdate: (binding, old) => [
      ...validateBinding(binding, false),
      ...validateRoleRefUnchanged(binding.roleRef, old.roleRef),
    ],
  },
  table: bindingTable<ClusterRoleBinding>("V1ClusterRoleBinding"),
  schema: kindSchema(rbacGroup, "v1", "ClusterRoleBinding"),
  schemaComponents,
};
