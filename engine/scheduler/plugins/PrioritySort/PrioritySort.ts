import type { Plugin, PluginFactory } from "../../framework/types";

export const name = "PrioritySort";

/** The queue order: higher priority first, then the pod that entered the queue earlier. */
export const PrioritySort: PluginFactory = {
  name,
  create: (): Plugin => ({
    name,
    less(a, b) {
      if (a.info.priority !== b.info.priority) return a.info.priority > b.info.priority;
      return a.timestamp < b.timestamp;
    },
  }),
};
