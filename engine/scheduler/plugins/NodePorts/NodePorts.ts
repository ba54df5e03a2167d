import { Status } from "../../framework/Status";
import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "NodePorts";
export const reasonNodePorts = "node(s) didn't have free ports for the requested pod ports";

/**
 * A host port is taken on a node when another pod uses the same protocol and port on the same
 * IP, or either side binds 0.0.0.0.
 */
export const NodePorts: PluginFactory = {
  name,
  create: (): Plugin => ({
    name,
    events: [
      { resource: "AssignedPod", action: "Delete" },
      { resource: "Node", action: "Add" },
    ],
    preFilter(_state, pod) {
      return { status: pod.hostPorts.length === 0 ? Status.skip() : null };
    },
    filter(_state, pod, node) {
      if (node.usedPorts.size === 0) return null;
      for (const wanted of pod.hostPorts) {
        for (const used of node.usedPorts.keys()) {
          const [ip, protocol, port] = used.split("/");
          if (protocol !== wanted.protocol || Number(port) !== wanted.port) continue;
          if (ip === "0.0.0.0" || wanted.ip === "0.0.0.0" || ip === wanted.ip)
            return Status.unschedulable(reasonNodePorts);
        }
      }
      return null;
    },
  }),
};
