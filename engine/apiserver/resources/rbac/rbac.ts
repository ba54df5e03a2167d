/** Validation and printing shared by the four RBAC resources (pkg/apis/rbac/validation). */
import type { PolicyRule, RoleRef, Subject } from "../../../api/rbac";
import type { KubeObject } from "../../../api/types";
import type { FieldError, TableConvertor } from "../../ResourceDefinition";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import {
  invalid,
  isDns1123Subdomain,
  nameIsPathSegment,
  notSupported,
  required,
  validateObjectMeta,
} from "../support/validation";

export const rbacGroup = "rbac.authorization.k8s.io";

/** ValidatePolicyRule. */
export function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  (rules ?? []).forEach((rule, index) => {
    const path = `rules[${index}]`;
    if (!rule.verbs || rule.verbs.length === 0)
      errors.push(required(`${path}.verbs`, "verbs must contain at least one value"));
    if (rule.nonResourceURLs && rule.nonResourceURLs.length > 0) {
      if (namespaced)
        errors.push(
          invalid(
            `${path}.nonResourceURLs`,
            rule.nonResourceURLs,
            "namespaced rules cannot apply to non-resource URLs",
          ),
        );
      if (
        (rule.apiGroups ?? []).length > 0 ||
        (rule.resources ?? []).length > 0 ||
        (rule.resourceNames ?? []).length > 0
      ) {
        errors.push(
          invalid(
            `${path}.nonResourceURLs`,
            rule.nonResourceURLs,
            "rules cannot apply to both regular resources and non-resource URLs",
          ),
        );
      }
      return;
    }
    if (!rule.apiGroups || rule.apiGroups.length === 0) {
      errors.push(required(`${path}.apiGroups`, "resource rules must supply at least one api group"));
    }
    if (!rule.resources || rule.resources.length === 0) {
      errors.push(required(`${path}.resources`, "resource rules must supply at least one resource"));
    }
  });
  return errors;
}

/** ValidateRoleBinding / ValidateClusterRoleBinding's roleRef and subjects. */
export function validateBinding(
  object: KubeObject & { roleRef?: RoleRef; subjects?: Subject[] },
  namespaced: boolean,
): FieldError[] {
  const errors = validateObjectMeta(object.metadata, { namespaced, nameValidator: nameIsPathSegment });
  const roleRef = object.roleRef;
  if (roleRef?.apiGroup !== rbacGroup)
    errors.push(notSupported("roleRef.apiGroup", roleRef?.apiGroup ?? "", [rbacGroup]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!roleRef?.kind || !kinds.includes(roleRef.kind))
    errors.push(notSupported("roleRef.kind", roleRef?.kind ?? "", kinds));
  if (!roleRef?.name) errors.push(required("roleRef.name"));
  else
    for (const message of nameIsPathSegment(roleRef.name, false))
      errors.push(invalid("roleRef.name", roleRef.name, message));
  (object.subjects ?? []).forEach((subject, index) => {
    const path = `subjects[${index}]`;
    if (!subject.name) errors.push(required(`${path}.name`));
    switch (subject.kind) {
      case "ServiceAccount":
        if (subject.name)
          for (const message of isServiceAccountName(subject.name))
            errors.push(invalid(`${path}.name`, subject.name, message));
        if (subject.apiGroup) errors.push(notSupported(`${path}.apiGroup`, subject.apiGroup, [""]));
        if (!namespaced && !subject.namespace) errors.push(required(`${path}.namespace`));
        break;
      case "User":
      case "Group":
        if (subject.apiGroup !== rbacGroup)
          errors.push(notSupported(`${path}.apiGroup`, subject.apiGroup ?? "", [rbacGroup]));
        break;
      default:
        errors.push(notSupported(`${path}.kind`, subject.kind, ["ServiceAccount", "User", "Group"]));
    }
  });
  return errors;
}

/** ValidateServiceAccountName: a DNS subdomain. */
function isServiceAccountName(name: string): string[] {
  return isDns1123Subdomain(name);
}

/** `roleRef` never changes once a binding exists. */
export function validateRoleRefUnchanged(roleRef: RoleRef | undefined, old: RoleRef | undefined): FieldError[] {
  if (JSON.stringify(roleRef) === JSON.stringify(old)) return [];
  return [
    {
      ...invalid("roleRef", roleRef, "cannot change roleRef"),
      renderedBadValue: `rbac.RoleRef{APIGroup:${JSON.stringify(roleRef?.apiGroup ?? "")}, Kind:${JSON.stringify(roleRef?.kind ?? "")}, Name:${JSON.stringify(roleRef?.name ?? "")}}`,
    },
  ];
}

/** rbac.SubjectsStrings: users, groups and `namespace:name` service accounts. */
function subjectStrings(subjects: Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const accounts: string[] = [];
  for (const subject of subjects ?? []) {
    if (subject.kind === "User") users.push(subject.name);
    else if (subject.kind === "Group") groups.push(subject.name);
    else if (subject.kind === "ServiceAccount") accounts.push(`${subject.namespace ?? ""}:${subject.name}`);
  }
  return [users.join(", "), groups.join(", "), accounts.join(", ")];
}

/** printRoleBinding / printClusterRoleBinding. */
export function bindingTable<T extends KubeObject & { roleRef?: RoleRef; subjects?: Subject[] }>(
  model: string,
): TableConvertor<T> {
  return {
    columns: [
      nameColumn(),
      column("Role", "string", [model, "roleRef"]),
      ageColumn(),
      column("Users", "string", "Users in the roleBinding", 1),
      column("Groups", "string", "Groups in the roleBinding", 1),
      column("ServiceAccounts", "string", "ServiceAccounts in the roleBinding", 1),
    ],
    cells(binding, now) {
      const [users, groups, accounts] = subjectStrings(binding.subjects);
      return [
        binding.metadata.name ?? "",
        `${binding.roleRef?.kind ?? ""}/${binding.roleRef?.name ?? ""}`,
        translateTimestampSince(binding.metadata.creationTimestamp, now),
        users,
        groups,
        accounts,
      ];
    },
  };
}
