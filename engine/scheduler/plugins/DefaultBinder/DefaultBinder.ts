import type { Binding } from "../../../api/core";
import { Pods } from "../../../api/resources";
import { Status } from "../../framework/Status";
import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "DefaultBinder";

/** Binds through the API as upstream does: POST `pods/<name>/binding` with the node as target. */
export const DefaultBinder: PluginFactory = {
  name,
  create: (handle): Plugin => ({
    name,
    async bind(_state, pod, nodeName) {
      const binding: Binding = {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: pod.pod.metadata.name, namespace: pod.namespace, uid: pod.pod.metadata.uid },
        target: { kind: "Node", name: nodeName },
      };
      try {
        await handle.client.createSubresource(Pods, pod.namespace, pod.pod.metadata.name ?? "", "binding", binding);
        return null;
      } catch (error) {
        return Status.error(error instanceof Error ? error.message : String(error));
      }
    },
  }),
};
