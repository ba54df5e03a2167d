import { SERVICE_ACCOUNT_KEY } from "../../apiserver/auth/serviceAccountKey";
import type { Clock } from "../../clock/Clock";
import type { Speed } from "../../cluster/Component";
import { createCluster } from "../../cluster/createCluster";
import { HostedNodeFileSystem } from "./HostedNodeFileSystem";
import type { QuotaStore } from "./quotas";
import type { ClusterSnapshot } from "./snapshotFile";

/** What {@link buildClusterTemplate} needs: the host's cluster shape and a clock and store of its own. */
export interface ClusterTemplateOptions {
  clock: Clock;
  store: QuotaStore;
  speed: Speed;
  nodes?: number;
  components?: readonly string[];
  /** Give up waiting for the cluster to settle after this long and take it as it is (default 120 s). */
  settleTimeoutMs?: number;
  log?: (component: string, line: string) => void;
}

/** The store must stay unchanged this long … */
const QUIET_MS = 300;
/** … and, when some pod never gets Running and Ready (a component left out), this long. */
const STUCK_MS = 3000;

/** Whether every pod in the store is Running and Ready (the system pods of a freshly booted cluster). */
function everyPodReady(store: QuotaStore): boolean {
  for (const kv of store.range("/registry/pods/", { prefix: true }).kvs) {
    const pod = JSON.parse(kv.value) as {
      status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
    };
    if (pod.status?.phase !== "Running") return false;
    if (!pod.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True"))
      return false;
  }
  return true;
}

/**
 * Resolves once the store has been quiet for {@link QUIET_MS} with every pod Running and Ready, or
 * for {@link STUCK_MS} whatever the pods, or after `timeoutMs`. Driven by the store's changes: one
 * timer, armed for when the store would have been quiet long enough and moved on by a change seen
 * when it fires (a write does not re-arm it), so a settling cluster costs no polling.
 */
function settled(clock: Clock, store: QuotaStore, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let lastChange = clock.now();
    let done = false;
    let cancelQuiet: () => void = () => {};
    /** Armed for the stuck bound (quiet, a pod not ready): a change starts a quiet period again. */
    let waitingStuck = false;
    const stopWatching = store.watchInWrite("/", { prefix: true }, () => {
      lastChange = clock.now();
      if (!waitingStuck || done) return;
      waitingStuck = false;
      cancelQuiet();
      cancelQuiet = clock.setTimer(QUIET_MS, check);
    });
    const finish = () => {
      if (done) return;
      done = true;
      stopWatching();
      cancelQuiet();
      cancelDeadline();
      resolve();
    };
    const cancelDeadline = clock.setTimer(timeoutMs, finish);
    function check(): void {
      const quiet = clock.now() - lastChange;
      if (quiet >= STUCK_MS || (quiet >= QUIET_MS && everyPodReady(store))) {
        finish();
        return;
      }
      // Not quiet long enough yet (a change came): wait for the rest; quiet but a pod not ready: wait
      // for the stuck bound, unless a change comes first and the quiet period starts again.
      waitingStuck = quiet >= QUIET_MS;
      cancelQuiet = clock.setTimer(waitingStuck ? STUCK_MS - quiet : QUIET_MS - quiet, check);
    }
    cancelQuiet = clock.setTimer(QUIET_MS, check);
  });
}

/**
 * Boots one cluster of the host's shape, waits until it has settled (every system pod Running and
 * Ready, and the store quiet), and returns its snapshot with the history compacted away. New clusters
 * start from this snapshot as a hibernated cluster is restored, instead of each going through the
 * whole boot again (hundreds of status writes through admission and field management, ≈ 0.7 s of
 * CPU per cluster in fast speed).
 */
export async function buildClusterTemplate(options: ClusterTemplateOptions): Promise<ClusterSnapshot> {
  const { clock, store } = options;
  const nodeFiles = new Map<string, HostedNodeFileSystem>();
  const cluster = createCluster({
    clock,
    speed: options.speed,
    nodes: options.nodes,
    store,
    components: options.components,
    nodeFileSystem: (name) => {
      let files = nodeFiles.get(name);
      if (!files) {
        files = new HostedNodeFileSystem({}, () => {});
        nodeFiles.set(name, files);
      }
      return files;
    },
    log: options.log,
  });
  try {
    await cluster.ready;
    await settled(clock, store, options.settleTimeoutMs ?? 120_000);
    // Every cluster signs its service-account tokens with a key of its own (made on its first
    // TokenRequest): one learner's token must not open another's cluster.
    if (store.get(SERVICE_ACCOUNT_KEY))
      store.txn({ compare: [], success: [{ type: "delete", key: SERVICE_ACCOUNT_KEY }] });
    // The history is of no use to a new cluster: its informers list from scratch.
    if (store.revision > store.compactRevision) store.compact(store.revision);
    const nodes: ClusterSnapshot["nodes"] = {};
    for (const [name, files] of nodeFiles) nodes[name] = await files.allFiles();
    return { savedAt: clock.now(), store: store.snapshot(), nodes };
  } finally {
    cluster.stop();
  }
}
