import type { Client } from "../client/Client";
import type { Clock } from "../clock/Clock";
import type { NodeHeartbeats } from "./NodeHeartbeats";

/** How fast the engine invents latencies (pulls, container starts). Kubernetes' own timers never change. */
export type Speed = "realistic" | "fast";

/**
 * What every in-cluster component (scheduler, controller manager, each kubelet, kube-proxy)
 * receives. Components talk to the rest of the cluster only through `client`, as upstream
 * components talk only to the API server.
 */
export interface ComponentContext {
  clock: Clock;
  speed: Speed;
  /** A client acting as this component's user (`system:kube-scheduler`, `system:node:node01` …). */
  client: Client;
  /** Diagnostic log lines, shown by `journalctl`/component logs; never on stdout of the host. */
  log(line: string): void;
  /**
   * Lazily computed lease renewals of the cluster's kubelets (kubelets report, the node lifecycle
   * controller reads), so idle nodes write nothing. Absent: kubelets renew their Lease every 10 s.
   */
  heartbeats?: NodeHeartbeats;
}

/** A running component. `stop` disposes every watch and timer it holds. */
export interface Component {
  stop(): void;
}
