/** networking.k8s.io/v1 ingressclasses: ValidateIngressClass(Update) and printIngressClass. */
import type { IngressClass } from "../../../api/networking";
import type { FieldError, ResourceDefinition } from "../../ResourceDefinition";
import { kindSchema, schemaComponents } from "../schema/schemas";
import { ageColumn, column, nameColumn, translateTimestampSince } from "../support/printing";
import { specStatusStrategy } from "../support/strategy";
import {
  invalid,
  nameIsDnsSubdomain,
  required,
  tooLong,
  validateImmutable,
  validateObjectMeta,
} from "../support/validation";

function validateIngressClass(ingressClass: IngressClass): FieldError[] {
  const errors = validateObjectMeta(ingressClass.metadata, { namespaced: false, nameValidator: nameIsDnsSubdomain });
  const controller = ingressClass.spec?.controller;
  if (!controller) errors.push(required("spec.controller"));
  else if (controller.length > 250) errors.push(tooLong("spec.controller", "", 250));
  else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/.+$/.test(controller)) {
    errors.push(invalid("spec.controller", controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  }
  const parameters = ingressClass.spec?.parameters;
  if (parameters) {
    if (!parameters.kind) errors.push(required("spec.parameters.kind"));
    if (!parameters.name) errors.push(required("spec.parameters.name"));
  }
  return errors;
}

export const ingressClasses: ResourceDefinition<IngressClass> = {
  group: "networking.k8s.io",
  versions: ["v1"],
  resource: "ingressclasses",
  kind: "IngressClass",
  singular: "ingressclass",
  namespaced: false,
  storagePrefix: "ingressclasses",
  strategy: specStatusStrategy<IngressClass>({
    validate: validateIngressClass,
    validateUpdate: (ingressClass, old) => [
      ...validateIngressClass(ingressClass),
      ...validateImmutable(ingressClass.spec?.controller, old.spec?.controller, "spec.controller"),
    ],
  }),
  table: {
    columns: [
      nameColumn(),
      column("Controller", "string", "Controller that is responsible for handling this class"),
      column("Parameters", "string", "A reference to a resource with additional parameters"),
      ageColumn(),
    ],
    cells(ingressClass, now) {
      const parameters = ingressClass.spec?.parameters;
      let text = "<none>";
      if (parameters) {
        text = parameters.kind;
        if (parameters.apiGroup) text = `${text}.${parameters.apiGroup}`;
        text = `${text}/${parameters.name}`;
      }
      return [
        ingressClass.metadata.name ?? "",
        ingressClass.spec?.controller ?? "",
        text,
        translateTimestampSince(ingressClass.metadata.creationTimestamp, now),
      ];
    },
  },
  schema: kindSchema("networking.k8s.io", "v1", "IngressClass"),
  schemaComponents,
};
