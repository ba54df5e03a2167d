export { InMemoryFs } from "just-bash";
export {
  ContainerRuntime,
  type ContainerSpec,
  type ContainerState,
  inventedLatency,
  type Mount,
  PullError,
  RuntimeContainer,
  type RuntimeOptions,
  type SavedContainer,
} from "./ContainerRuntime";
export { FakeNetwork } from "./FakeNetwork";
export { LogBuffer, type LogLine } from "./LogBuffer";
export type {
  ControlPlaneComponent,
  ControlPlaneLink,
  EtcdDataDirs,
  ExitStatus,
  InClusterApi,
  KubernetesApiApp,
  Process,
  ProcessEnvironment,
  Signal,
} from "./Process";
export { warmUpShell } from "./shell/warmUp";
export { SpawnError, shellQuote } from "./spawn";
