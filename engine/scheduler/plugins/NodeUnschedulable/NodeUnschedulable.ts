import { Field } from "../../framework/NodeTable";
import { Status } from "../../framework/Status";
import { toleratesTaint } from "../../framework/selectors";
import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "NodeUnschedulable";
export const reasonUnschedulable = "node(s) were unschedulable";
const unschedulableTaint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

/** Rejects cordoned nodes (`spec.unschedulable`) unless the pod tolerates the unschedulable taint. */
export const NodeUnschedulable: PluginFactory = {
  name,
  create: (): Plugin => ({
    name,
    events: [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
    ],
    filter(_state, pod, node) {
      if (schedulableRow(node.data, node.base)) return null;
      if (toleratesTaint(pod.pod.spec?.tolerations, unschedulableTaint)) return null;
      return Status.unresolvable(reasonUnschedulable);
    },
  }),
};

/** A node that is not cordoned passes whatever the pod tolerates (the row path's form of the filter). */
export function schedulableRow(data: Float64Array, base: number): boolean {
  return data[base + Field.unschedulable] === 0;
}
