export type { Explanation } from "./framework/Framework";
export { defaultPlugins } from "./plugins/registry";
export {
  defaultSchedulerName,
  explainAnnotation,
  explainRequest,
  type SchedulerComponent,
  type SchedulerOptions,
  startScheduler,
} from "./Scheduler";
