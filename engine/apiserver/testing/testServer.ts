import { createClient } from "../../client/createClient";
import { VirtualClock } from "../../clock/VirtualClock";
import { bootstrapCluster } from "../../cluster/bootstrap";
import { KeyValueStore } from "../../store/KeyValueStore";
import { createApiServer } from "../ApiServer";
import type { ResourceDefinition } from "../ResourceDefinition";
import { genericResources } from "./genericResources";

/** A seeded random source, so uids and generated names are reproducible in tests. */
export function seededRandom(seed = 1): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** An API server on a VirtualClock with the generic resources and a bootstrapped cluster state. */
export function createTestServer(options: { resources?: ResourceDefinition[]; historyLimit?: number } = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const store = new KeyValueStore({ historyLimit: options.historyLimit });
  const apiServer = createApiServer({
    clock,
    store,
    resources: options.resources ?? genericResources,
    random: seededRandom(),
  });
  bootstrapCluster(apiServer);
  const client = createClient(apiServer);
  return { clock, store, apiServer, client };
}
