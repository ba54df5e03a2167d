import { Status } from "../../framework/Status";
import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "NodeName";
export const reasonNodeName = "node(s) didn't match the requested node name";

/** A pod that names its node (`spec.nodeName`) fits only there. */
export const NodeName: PluginFactory = {
  name,
  create: (): Plugin => ({
    name,
    events: [{ resource: "Node", action: "Add" }],
    preFilter(_state, pod) {
      return { status: pod.pod.spec?.nodeName ? null : Status.skip() };
    },
    filter(_state, pod, node) {
      const wanted = pod.pod.spec?.nodeName;
      if (!wanted || wanted === node.name) return null;
      return Status.unresolvable(reasonNodeName);
    },
  }),
};
