/**
 * The in-process client and the machinery every control loop builds on. See README.md.
 */
export type { Client, ListOptions, WatchOptions, WriteOptions, DeleteOptions, PatchType } from "./Client";
export { createClient, ADMIN_USER } from "./createClient";
export { Informer, SharedInformerFactory, objectKey, splitKey } from "./informers";
export type { EventHandlers } from "./informers";
export {
  WorkQueue,
  runWorkers,
  defaultControllerRateLimiter,
  exponentialRateLimiter,
  bucketRateLimiter,
  maxOfRateLimiters,
} from "./workQueue";
export type { RateLimiter } from "./workQueue";
export { createEventRecorder } from "./eventRecorder";
export type { EventRecorder, EventSource, EventType } from "./eventRecorder";
