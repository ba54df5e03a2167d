import type { KubeObject } from "../commands/common";
import { type Any, type DescribeContext, describeEvents, searchEvents } from "./context";
import { DescribeWriter, formatLabelMap, formatSelector } from "./format";

/** PodDisruptionBudgetDescriber (policy/v1). */
export async function describePodDisruptionBudget(context: DescribeContext, budget: KubeObject): Promise<string> {
  const events = await searchEvents(context, budget);
  const w = new DescribeWriter();
  const object = budget as Any;
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  w.write(0, `Name:\t${object.metadata?.name ?? ""}\n`);
  w.write(0, `Namespace:\t${object.metadata?.namespace ?? ""}\n`);
  if (spec.minAvailable !== undefined && spec.minAvailable !== null)
    w.write(0, `Min available:\t${spec.minAvailable}\n`);
  else if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null)
    w.write(0, `Max unavailable:\t${spec.maxUnavailable}\n`);
  w.write(0, `Selector:\t${spec.selector ? formatSelector(spec.selector) : "<unset>"}\n`);
  w.write(0, "Status:\n");
  w.write(2, `Allowed disruptions:\t${status.disruptionsAllowed ?? 0}\n`);
  w.write(2, `Current:\t${status.currentHealthy ?? 0}\n`);
  w.write(2, `Desired:\t${status.desiredHealthy ?? 0}\n`);
  w.write(2, `Total:\t${status.expectedPods ?? 0}\n`);
  describeEvents(w, events, context.now);
  return w.toString();
}

/** PriorityClassDescriber (scheduling.k8s.io/v1). Annotations print as labels.FormatLabels, last-applied included. */
export async function describePriorityClass(context: DescribeContext, priorityClass: KubeObject): Promise<string> {
  const events = await searchEvents(context, priorityClass);
  const w = new DescribeWriter();
  const object = priorityClass as Any;
  w.write(0, `Name:\t${object.metadata?.name ?? ""}\n`);
  w.write(0, `Value:\t${object.value ?? 0}\n`);
  w.write(0, `GlobalDefault:\t${object.globalDefault === true}\n`);
  w.write(0, `PreemptionPolicy:\t${object.preemptionPolicy ?? ""}\n`);
  w.write(0, `Description:\t${object.description ?? ""}\n`);
  w.write(0, `Annotations:\t${formatLabelMap(object.metadata?.annotations)}\n`);
  describeEvents(w, events, context.now);
  return w.toString();
}
