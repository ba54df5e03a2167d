import { ApiError } from "../ApiError";
import type { AdmissionPlugin } from "./Admission";

/**
 * NamespaceLifecycle: nothing is created in a namespace that does not exist (404 for the
 * namespace) or is terminating (403). Deleting the system namespaces is refused by the namespace
 * registry itself (see registry/deletion.ts), as upstream also checks it there.
 */
export const namespaceLifecycle: AdmissionPlugin = {
  name: "NamespaceLifecycle",
  admit(attributes, context) {
    if (attributes.operation !== "CREATE" || !attributes.definition.namespaced || !attributes.namespace) return;
    const namespace = context.get("", "namespaces", undefined, attributes.namespace);
    if (!namespace) throw ApiError.notFound("", "namespaces", attributes.namespace);
    if (namespace.metadata.deletionTimestamp || namespace.status?.phase === "Terminating") {
      const { group, resource } = attributes.definition;
      // Events about the namespace's own cleanup are still allowed in, as upstream does.
      if (group === "" && resource === "events") return;
      if (group === "events.k8s.io" && resource === "events") return;
      throw ApiError.forbidden(
        group,
        resource,
        attributes.name,
        `unable to create new content in namespace ${attributes.namespace} because it is being terminated`,
      );
    }
  },
};
