import type { Taint } from "../../../api/core";
import { Field } from "../../framework/NodeTable";
import { Status } from "../../framework/Status";
import { toleratesTaint } from "../../framework/selectors";
import type { Plugin, PluginFactory } from "../../framework/types";
import { defaultNormalizeScore } from "../normalize";

export const name = "TaintToleration";

/**
 * Filter: a NoSchedule or NoExecute taint the pod does not tolerate rules the node out (the first
 * such taint is named in the message, as upstream). Score: fewer untolerated PreferNoSchedule
 * taints is better.
 */
export const TaintToleration: PluginFactory = {
  name,
  weight: 3,
  create: (handle): Plugin => ({
    name,
    events: [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
    ],
    filter(_state, pod, node) {
      if (untaintedRow(node.data, node.base)) return null;
      const taints = node.hardTaints;
      const tolerations = pod.pod.spec?.tolerations;
      for (const taint of taints) {
        if (!toleratesTaint(tolerations, taint)) return Status.unresolvable(untoleratedMessage(taint));
      }
      return null;
    },
    preScore(_state, _pod, nodes) {
      // With no PreferNoSchedule taint on any candidate, every node scores the same: nothing to rank.
      // Most clusters have none anywhere, which the cache counts without visiting the candidates.
      if (handle.preferNoScheduleTaintedNodes() === 0) return Status.skip();
      for (let i = 0; i < nodes.length; i++) {
        if (nodes[i].data[nodes[i].base + Field.preferNoScheduleTaints] > 0) return null;
      }
      return Status.skip();
    },
    score(_state, pod, node) {
      if (node.preferNoScheduleTaints.length === 0) return 0;
      let count = 0;
      const tolerations = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
      for (const taint of node.preferNoScheduleTaints) if (!toleratesTaint(tolerations, taint)) count++;
      return count;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, true);
    },
  }),
};

/** `node(s) had untolerated taint {key: value}` */
export function untoleratedMessage(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
}

/** A node without NoSchedule/NoExecute taints passes the filter for any pod (the row path's form). */
export function untaintedRow(data: Float64Array, base: number): boolean {
  return data[base + Field.hardTaints] === 0;
}
