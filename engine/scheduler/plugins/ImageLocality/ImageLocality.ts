import type { NodeInfo } from "../../framework/NodeInfo";
import { Status } from "../../framework/Status";
import { maxNodeScore, type Plugin, type PluginFactory } from "../../framework/types";

export const name = "ImageLocality";
const mb = 1024 * 1024;
/** Below this total the images are cheap to pull anyway (upstream minThreshold). */
const minThreshold = 23 * mb;
/** Per-container ceiling (upstream maxContainerThreshold). */
const maxContainerThreshold = 1000 * mb;

/**
 * Favors nodes that already hold the pod's images, each image's size scaled by the share of
 * nodes that have it (so an image everywhere does not pull every pod to one node).
 */
export const ImageLocality: PluginFactory = {
  name,
  weight: 1,
  create: (handle): Plugin => ({
    name,
    events: [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "Update" },
    ],
    preScore(_state, pod) {
      for (const image of pod.images) if (handle.imageNodeCount(image) > 0) return null;
      return Status.skip();
    },
    score(_state, pod, node) {
      return imageScore(pod.images, node, (image) => handle.imageNodeCount(image), handle.nodes().length);
    },
  }),
};

/** Sum of the sizes of the pod's images on the node, each scaled by its spread, mapped onto 0..100. */
export function imageScore(
  images: string[],
  node: NodeInfo,
  nodesWithImage: (image: string) => number,
  totalNodes: number,
): number {
  let sum = 0;
  for (const image of images) {
    const size = node.imageSizes.get(image);
    if (size !== undefined && totalNodes > 0) sum += Math.trunc(size * (nodesWithImage(image) / totalNodes));
  }
  const maxThreshold = maxContainerThreshold * images.length;
  if (sum < minThreshold) sum = minThreshold;
  else if (sum > maxThreshold) sum = maxThreshold;
  return Math.trunc((maxNodeScore * (sum - minThreshold)) / (maxThreshold - minThreshold));
}
