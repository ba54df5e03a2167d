/**
 * The in-process client and the machinery every control loop builds on. See README.md.
 */
export type { Client, DeleteOptions, ListOptions, PatchType, WatchOptions, WriteOptions } from "./Client";
export { ADMIN_USER, createClient } from "./createClient";
export type { EventRecorder, EventSource, EventType } from "./eventRecorder";
export { createEventRecorder } from "./eventRecorder";
export type { SeriesEventRecorder } from "./eventSeries";
export { createSeriesEventRecorder } from "./eventSeries";
export type { EventHandlers, InformerOptions } from "./informers";
export { Informer, objectKey, SharedInformerFactory, splitKey } from "./informers";
export { withoutManagedFields } from "./withoutManagedFields";
export type { RateLimiter } from "./workQueue";
export {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  exponentialRateLimiter,
  maxOfRateLimiters,
  runWorkers,
  WorkQueue,
} from "./workQueue";
