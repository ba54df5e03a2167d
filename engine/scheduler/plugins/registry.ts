import type { PluginFactory } from "../framework/types";
import { DefaultBinder } from "./DefaultBinder/DefaultBinder";
import { DefaultPreemption } from "./DefaultPreemption/DefaultPreemption";
import { ImageLocality } from "./ImageLocality/ImageLocality";
import { InterPodAffinity } from "./InterPodAffinity/InterPodAffinity";
import { NodeAffinity } from "./NodeAffinity/NodeAffinity";
import { NodeName } from "./NodeName/NodeName";
import { NodePorts } from "./NodePorts/NodePorts";
import { NodeResourcesBalancedAllocation } from "./NodeResourcesBalancedAllocation/NodeResourcesBalancedAllocation";
import { NodeResourcesFit } from "./NodeResourcesFit/NodeResourcesFit";
import { NodeUnschedulable } from "./NodeUnschedulable/NodeUnschedulable";
import { PodTopologySpread } from "./PodTopologySpread/PodTopologySpread";
import { PrioritySort } from "./PrioritySort/PrioritySort";
import { SchedulingGates } from "./SchedulingGates/SchedulingGates";
import { TaintToleration } from "./TaintToleration/TaintToleration";
import { VolumeBinding } from "./VolumeBinding/VolumeBinding";

/**
 * The default profile's plugins in upstream order (`pkg/scheduler/apis/config/v1/default_plugins.go`),
 * with their default score weights. Each extension point runs the plugins that implement it in
 * this order.
 */
export const defaultPlugins: PluginFactory[] = [
  SchedulingGates,
  PrioritySort,
  NodeUnschedulable,
  NodeName,
  TaintToleration,
  NodeAffinity,
  NodePorts,
  NodeResourcesFit,
  VolumeBinding,
  PodTopologySpread,
  InterPodAffinity,
  DefaultPreemption,
  NodeResourcesBalancedAllocation,
  ImageLocality,
  DefaultBinder,
];
