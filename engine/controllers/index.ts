import type { Component, ComponentContext } from "../cluster/Component";
import { BootstrapSigner } from "./bootstrap/BootstrapSigner";
import { TokenCleaner } from "./bootstrap/TokenCleaner";
import {
  CSRCleanerController,
  CSRSigningController,
  type SigningAuthoritySource,
} from "./certificates/CSRSigningController";
import { CronJobController } from "./cronjob/CronJobController";
import { DaemonSetController } from "./daemonset/DaemonSetController";
import { DeploymentController } from "./deployment/DeploymentController";
import { EndpointSliceController } from "./endpoints/EndpointSliceController";
import { EndpointsController } from "./endpoints/EndpointsController";
import { GarbageCollector } from "./garbagecollector/GarbageCollector";
import { JobController } from "./job/JobController";
import { NamespaceController } from "./namespace/NamespaceController";
import { NodeLifecycleController } from "./nodelifecycle/NodeLifecycleController";
import {
  HorizontalPodAutoscalerController,
  type PodMetricsSource,
} from "./podautoscaler/HorizontalPodAutoscalerController";
import { PodGCController } from "./podgc/PodGCController";
import { ReplicaSetController } from "./replicaset/ReplicaSetController";
import { ResourceQuotaController } from "./resourcequota/ResourceQuotaController";
import { type ControllerRuntime, createControllerContext } from "./runtime/createControllerContext";
import type { ControllerContext } from "./runtime/types";
import { RootCAPublisher, ServiceAccountController } from "./serviceaccount/ServiceAccountController";
import { ServiceLoadBalancerController } from "./servicelb/ServiceLoadBalancerController";
import { StatefulSetController } from "./statefulset/StatefulSetController";
import { TTLAfterFinishedController } from "./ttlafterfinished/TTLAfterFinishedController";
import { PersistentVolumeController } from "./volume/PersistentVolumeController";

/** The controllers, by the names kube-controller-manager's `--controllers` flag uses. */
const CONTROLLERS: Record<string, (context: ControllerContext, options: ControllerManagerOptions) => object> = {
  replicaset: (context) => new ReplicaSetController(context),
  deployment: (context) => new DeploymentController(context),
  garbagecollector: (context) => new GarbageCollector(context),
  namespace: (context) => new NamespaceController(context),
  serviceaccount: (context) => new ServiceAccountController(context),
  "root-ca-cert-publisher": (context, options) => new RootCAPublisher(context, options.rootCa),
  endpoint: (context) => new EndpointsController(context),
  endpointslice: (context) => new EndpointSliceController(context),
  "node-lifecycle": (context) => new NodeLifecycleController(context),
  job: (context) => new JobController(context),
  cronjob: (context) => new CronJobController(context),
  "ttl-after-finished": (context) => new TTLAfterFinishedController(context),
  daemonset: (context) => new DaemonSetController(context),
  statefulset: (context) => new StatefulSetController(context),
  "service-lb-controller": (context) => new ServiceLoadBalancerController(context),
  podgc: (context) => new PodGCController(context),
  "persistentvolume-binder": (context) => new PersistentVolumeController(context),
  resourcequota: (context) => new ResourceQuotaController(context),
  csrsigning: (context, options) =>
    new CSRSigningController(context, options.signingAuthority ?? (async () => undefined)),
  csrcleaner: (context) => new CSRCleanerController(context),
  horizontalpodautoscaling: (context, options) =>
    new HorizontalPodAutoscalerController(context, options.metrics ?? (() => undefined)),
  // Off by default upstream; kubeadm turns them on (--controllers=*,bootstrapsigner,tokencleaner).
  bootstrapsigner: (context) => new BootstrapSigner(context),
  tokencleaner: (context) => new TokenCleaner(context),
};

/** Every controller name this controller manager knows. */
export const CONTROLLER_NAMES = Object.keys(CONTROLLERS);

/** Options for {@link startControllerManager}. */
export interface ControllerManagerOptions {
  /** Which controllers to run (default: all), as `--controllers` selects them. */
  controllers?: readonly string[];
  /**
   * Pod usage for the HorizontalPodAutoscaler (metrics-server's role). createCluster's starter
   * reads it from the kubelets that also serve metrics.k8s.io; without it autoscalers report
   * FailedGetResourceMetric, as on a cluster without metrics-server.
   */
  metrics?: PodMetricsSource;
  /**
   * The CA the CSR signer signs with (--cluster-signing-cert-file/-key-file: kubeadm's
   * /etc/kubernetes/pki/ca.crt and ca.key), read when a request is to be signed; without it approved
   * requests stay unissued.
   */
  signingAuthority?: SigningAuthoritySource;
  /**
   * --root-ca-file (kubeadm's /etc/kubernetes/pki/ca.crt), read once when the root-CA publisher
   * first needs it; without it the publisher copies kube-system's kube-root-ca.crt.
   */
  rootCa?: () => Promise<string | undefined>;
}

/** The running controller manager. `idle` tells tests and benchmarks when every queue has drained. */
export interface ControllerManager extends Component {
  readonly runtime: ControllerRuntime;
  readonly idle: boolean;
}

/**
 * Starts kube-controller-manager: every controller on shared informers, each talking only to the
 * API server through `context.client` (which acts as `system:kube-controller-manager`).
 */
export function startControllerManager(
  context: ComponentContext,
  options: ControllerManagerOptions = {},
): ControllerManager {
  const runtime = createControllerContext(context);
  const names = options.controllers ?? CONTROLLER_NAMES;
  const running: object[] = [];
  for (const name of names) {
    const start = CONTROLLERS[name];
    if (!start) {
      context.log(`unknown controller "${name}"`);
      continue;
    }
    running.push(start(runtime, options));
    context.log(`Started "${name}"`);
  }
  return {
    runtime,
    get idle() {
      return runtime.idle;
    },
    stop() {
      for (const controller of running) (controller as { stop?(): void }).stop?.();
      runtime.stop();
    },
  };
}

export type { SigningAuthoritySource } from "./certificates/CSRSigningController";
export type { ContainerUsage, PodMetricsSource } from "./podautoscaler/HorizontalPodAutoscalerController";
export type { ControllerContext } from "./runtime/types";
