import { Status } from "../../framework/Status";
import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "SchedulingGates";

/** Keeps a pod with `spec.schedulingGates` out of the active queue until every gate is removed. */
export const SchedulingGates: PluginFactory = {
  name,
  create: (): Plugin => ({
    name,
    preEnqueue(pod) {
      const gates = pod.spec?.schedulingGates ?? [];
      if (gates.length === 0) return null;
      return Status.unresolvable(`waiting for scheduling gates: [${gates.map((gate) => gate.name).join(" ")}]`);
    },
  }),
};
