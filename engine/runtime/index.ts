export {
  ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  inventedLatency,
  type Mount,
  PullError,
  RuntimeContainer,
  type RuntimeOptions,
} from "./ContainerRuntime";
export { type LogLine, LogBuffer } from "./LogBuffer";
export type { ExitStatus, Process, ProcessEnvironment, Signal } from "./Process";
export { SpawnError, shellQuote } from "./spawn";
export { InMemoryFs } from "just-bash";
export { FakeNetwork } from "./FakeNetwork";
export { warmUpShell } from "./shell/warmUp";
