import { type ApiServer, createApiServer } from "../apiserver/ApiServer";
import type { ResourceDefinition } from "../apiserver/ResourceDefinition";
import type { UserInfo } from "../apiserver/ResourceRequest";
import type { Client } from "../client/Client";
import { ADMIN_USER, createClient } from "../client/createClient";
import type { Clock } from "../clock/Clock";
import { RealClock } from "../clock/RealClock";
import { controlPlaneCa } from "../kubelet/kubeadmFiles";
import type { NodeFileSystem } from "../kubelet/NodeFileSystem";
import type { KubeProxyRules } from "../proxy/createNetwork";
import type { Network } from "../proxy/Network";
import type { KubernetesApiApp } from "../runtime";
import { KeyValueStore } from "../store/KeyValueStore";
import { bootstrapCluster, CONTROL_PLANE_IP } from "./bootstrap";
import { builtinResourceDefinitions } from "./builtinResources";
import type { Component, ComponentContext, Speed } from "./Component";
import { ControlPlaneStatus } from "./ControlPlaneStatus";
import { componentStarters } from "./components";
import { bootstrapKubeadmObjects } from "./kubeadmObjects";
import { createKubernetesApiApp } from "./kubernetesApiApp";
import { NodeHeartbeats } from "./NodeHeartbeats";
import { startGated } from "./startGated";

/** Options for {@link createCluster}. */
export interface ClusterOptions {
  /** Defaults to the wall clock; tests pass a VirtualClock. */
  clock?: Clock;
  speed?: Speed;
  /** Worker nodes besides `controlplane` (default 2: node01, node02). */
  nodes?: number;
  /** Randomness for uids, names, IPs (seed it for reproducible tests). */
  random?: () => number;
  /** An existing store (a restored snapshot); bootstrap leaves what it holds alone. */
  store?: KeyValueStore;
  /** Resource definitions to serve instead of the built-in ones (tests). */
  resources?: readonly ResourceDefinition[];
  /** Where node file systems live (`DIR/nodes/<node>/`), for hosts that persist them. */
  dataDir?: string;
  /** Which components to start (default: every registered starter). Names as in components.ts. */
  components?: readonly string[];
  /** Receives component log lines as `component: line`. */
  log?: (component: string, line: string) => void;
  /**
   * Each node's file system (static pod manifests, PKI, hostPath volumes). Hosts that persist
   * nodes pass a disk-backed one over `DIR/nodes/<node>/`; default: in memory.
   */
  nodeFileSystem?: (nodeName: string) => NodeFileSystem;
  /**
   * Do not start the components yet: the API server serves at once and `start()` boots them later
   * (`ready` resolves then). The multi-cluster host answers a restored cluster's first request
   * before the kubelets re-sync.
   */
  deferStart?: boolean;
}

/** A running in-process cluster. */
export interface Cluster {
  readonly apiServer: ApiServer;
  readonly store: KeyValueStore;
  readonly clock: Clock;
  readonly speed: Speed;
  /** `controlplane`, then `node01` … */
  readonly nodeNames: readonly string[];
  readonly controlPlaneNode: string;
  readonly dataDir?: string;
  /** Resolves once every component has started. */
  readonly ready: Promise<void>;
  /** A client acting as `user` (default: the cluster admin). */
  client(user?: UserInfo): Client;
  /** Starts the components (createCluster already does unless `components: []`); idempotent. */
  start(): Promise<void>;
  /** Stops every component, disposing its watches and timers. */
  stop(): void;
  /** Running components by starter name. */
  readonly components: ReadonlyMap<string, Component[]>;
  /** kube-proxy's per-node rules (`iptables-save` for node shells), once the kube-proxy component runs. */
  readonly kubeProxy?: KubeProxyRules;
  /** The simulated network (for hosts and tests that connect from outside a pod, e.g. to a NodePort). */
  readonly network?: Network;
  /** The kubelets' lazily computed lease renewals (what the node lifecycle controller reads). */
  readonly heartbeats: NodeHeartbeats;
  /**
   * Whether the control plane's static pods serve: hosts refuse the API to outside clients while
   * `apiReachable()` is false (kube-apiserver or etcd not running).
   */
  readonly controlPlane: ControlPlaneStatus;
}

/** What a component starter receives: the cluster's shared pieces and a context factory. */
export interface ClusterHandle {
  readonly apiServer: ApiServer;
  readonly clock: Clock;
  readonly speed: Speed;
  readonly nodeNames: readonly string[];
  readonly controlPlaneNode: string;
  readonly controlPlaneIp: string;
  readonly dataDir?: string;
  /** A ComponentContext whose client acts as `username` (groups as upstream's component identities). */
  context(component: string, username: string, groups?: string[]): ComponentContext;
  /** The cluster network, set by whichever starter creates it first (kube-proxy or the kubelets). */
  network?: Network;
  /** kube-proxy's rules per node (iptables-save / iptables -L for node shells), set by the kube-proxy starter. */
  kubeProxy?: KubeProxyRules;
  /** Each node's file system (see ClusterOptions.nodeFileSystem). */
  nodeFileSystem?: (nodeName: string) => NodeFileSystem;
  /** The API server as kube-apiserver's secure port serves it to pods (kubernetesApiApp.ts), for the kubelets' runtimes. */
  kubernetesApi?: KubernetesApiApp;
  /** Whether the control plane's static pods serve, as the control plane node's runtime reports it. */
  readonly controlPlane: ControlPlaneStatus;
}

/**
 * Starts one kind of component. `start` may return several (one kubelet per node). Engineers of
 * each component add their starter to the list in components.ts.
 */
export interface ComponentStarter {
  name: string;
  /**
   * The component runs only while this holds (the engine's scheduler while the kube-scheduler static
   * pod serves): it is stopped when it stops holding and started anew when it holds again.
   */
  runsWhile?(controlPlane: ControlPlaneStatus): boolean;
  start(cluster: ClusterHandle): Component | Component[] | Promise<Component | Component[]>;
}

/**
 * Creates a cluster: an API server over a store holding what a fresh kubeadm cluster holds, then
 * the components (scheduler, controller manager, kubelets, proxies) registered in components.ts.
 * Bootstrap is synchronous and light (tens of objects); components start on `ready`.
 */
export function createCluster(options: ClusterOptions = {}): Cluster {
  const clock = options.clock ?? new RealClock();
  const speed = options.speed ?? "realistic";
  const store = options.store ?? new KeyValueStore();
  const heartbeats = new NodeHeartbeats();
  const apiServer = createApiServer({
    clock,
    store,
    resources: options.resources ?? builtinResourceDefinitions,
    random: options.random,
    log: options.log ? (line) => options.log?.("kube-apiserver", line) : undefined,
    leaseRenewals: heartbeats,
    // kube-apiserver signs with kubeadm's /etc/kubernetes/pki/sa.key: the control plane shows the key made.
    onServiceAccountKeyCreated: (pair) => {
      const files = options.nodeFileSystem?.("controlplane");
      if (!files) return;
      void files.writeFile("/etc/kubernetes/pki/sa.key", pair.privateKeyPem);
      void files.writeFile("/etc/kubernetes/pki/sa.pub", pair.publicKeyPem);
    },
  });
  // One cluster CA, as kubeadm's: the control plane's /etc/kubernetes/pki/ca.crt (the process's CA,
  // which kubeadm's files are written with, until the node holds one), published in kube-root-ca.crt,
  // signing the node kubeconfigs, the CSR signer's certificates and the API server's serving certificate.
  const clusterCa = () => controlPlaneCa(options.nodeFileSystem?.("controlplane"), clock.now());
  bootstrapCluster(apiServer);
  // What kubeadm init and kube-apiserver add (kubeadm-config, kubelet-config, cluster-info, the init token …).
  bootstrapKubeadmObjects(apiServer, { controlPlaneNode: "controlplane", controlPlaneIp: CONTROL_PLANE_IP });
  const workers = options.nodes ?? 2;
  const nodeNames = [
    "controlplane",
    ...Array.from({ length: workers }, (_, index) => `node${String(index + 1).padStart(2, "0")}`),
  ];
  const log = options.log ?? (() => {});
  const controlPlane = new ControlPlaneStatus();
  const handle: ClusterHandle = {
    controlPlane,
    apiServer,
    clock,
    speed,
    nodeNames,
    controlPlaneNode: "controlplane",
    controlPlaneIp: CONTROL_PLANE_IP,
    dataDir: options.dataDir,
    nodeFileSystem: options.nodeFileSystem,
    kubernetesApi: createKubernetesApiApp(apiServer, {
      clock,
      controlPlaneNode: "controlplane",
      certificateAuthority: async () => (await clusterCa()).certificatePem,
      servingCertificate: async () =>
        options.nodeFileSystem?.("controlplane")?.readFile("/etc/kubernetes/pki/apiserver.crt"),
    }),
    context(component, username, groups = []) {
      return {
        clock,
        speed,
        client: createClient(apiServer, { username, groups: [...groups, "system:authenticated"] }, component),
        log: (line) => log(component, line),
        heartbeats,
      };
    },
  };
  const running = new Map<string, Component[]>();
  const wanted = options.components
    ? componentStarters.filter((starter) => options.components?.includes(starter.name))
    : componentStarters;
  let started: Promise<void> | undefined;
  let stopped = false;
  const start = (): Promise<void> => {
    started ??= (async () => {
      for (const starter of wanted) {
        if (stopped) return;
        const gate = starter.runsWhile;
        const result = gate
          ? startGated(
              controlPlane,
              () => gate(controlPlane),
              () => starter.start(handle),
            )
          : await starter.start(handle);
        running.set(starter.name, Array.isArray(result) ? result : [result]);
      }
    })();
    return started;
  };
  let resolveReady: (() => void) | undefined;
  let rejectReady: ((error: unknown) => void) | undefined;
  const ready = options.deferStart
    ? new Promise<void>((resolve, reject) => {
        resolveReady = resolve;
        rejectReady = reject;
      })
    : start();
  const startDeferred = (): Promise<void> => {
    const starting = start();
    if (resolveReady) starting.then(resolveReady, rejectReady);
    return starting;
  };
  return {
    apiServer,
    store,
    clock,
    speed,
    nodeNames,
    controlPlaneNode: "controlplane",
    dataDir: options.dataDir,
    ready,
    heartbeats,
    controlPlane,
    components: running,
    get kubeProxy() {
      return handle.kubeProxy;
    },
    get network() {
      return handle.network;
    },
    client: (user = ADMIN_USER) => createClient(apiServer, user),
    start: startDeferred,
    stop() {
      stopped = true;
      for (const components of [...running.values()].reverse()) {
        for (const component of components) {
          try {
            component.stop();
          } catch {
            // Stopping one component must not keep the others running.
          }
        }
      }
      running.clear();
    },
  };
}
