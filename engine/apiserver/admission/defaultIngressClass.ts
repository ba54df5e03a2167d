import type { KubeObject } from "../../api/types";
import type { AdmissionPlugin } from "./Admission";

const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
const LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/**
 * DefaultIngressClass (plugin/pkg/admission/network/defaultingressclass): an Ingress created
 * without `spec.ingressClassName` and without the legacy `kubernetes.io/ingress.class` annotation
 * gets the name of the IngressClass annotated `ingressclass.kubernetes.io/is-default-class:
 * "true"` (the newest, when several are). No default: left alone.
 */
export const defaultIngressClassAdmission: AdmissionPlugin = {
  name: "DefaultIngressClass",
  admit(attributes, context) {
    if (attributes.operation !== "CREATE" || attributes.subresource) return;
    if (attributes.definition.group !== "networking.k8s.io" || attributes.definition.resource !== "ingresses") return;
    const ingress = attributes.object;
    if (!ingress) return;
    if (ingress.spec?.ingressClassName) return;
    if (ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return;
    let chosen: KubeObject | undefined;
    for (const ingressClass of context.list("networking.k8s.io", "ingressclasses", undefined)) {
      if (ingressClass.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] !== "true") continue;
      const created = ingressClass.metadata.creationTimestamp ?? "";
      if (!chosen || created > (chosen.metadata.creationTimestamp ?? "")) chosen = ingressClass;
    }
    if (!chosen?.metadata.name) return;
    ingress.spec ??= {};
    ingress.spec.ingressClassName = chosen.metadata.name;
  },
};
