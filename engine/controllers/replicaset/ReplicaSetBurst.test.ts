import { afterEach, describe, expect, it } from "vitest";
import type { ReplicaSet } from "../../api/apps";
import type { Pod } from "../../api/core";
import { Pods, ReplicaSets } from "../../api/resources";
import type { Client } from "../../client/Client";
import { VirtualClock } from "../../clock/VirtualClock";
import { type Cluster, createCluster } from "../../cluster/createCluster";
import { type ControllerRuntime, createControllerContext } from "../runtime/createControllerContext";
import { SLOW_START_CHUNK } from "../shared/slowStart";
import { BURST_REPLICAS, ReplicaSetController } from "./ReplicaSetController";

/**
 * The ReplicaSet controller on a context that records, for every sync, the pod creations and
 * deletions it made and how many of them ran without a turn for the rest of the process.
 */
async function instrumented() {
  const clock = new VirtualClock();
  const cluster: Cluster = createCluster({ clock, components: [] });
  await cluster.ready;
  const admin = cluster.client();
  const syncs: Array<{ writes: number; turns: number[] }> = [];
  let current: { writes: number; turns: number[] } | undefined;
  const wrote = () => {
    if (!current) return;
    current.writes++;
    current.turns[current.turns.length - 1]++;
  };
  const client: Client = {
    ...admin,
    get: admin.get.bind(admin),
    list: admin.list.bind(admin),
    watch: admin.watch.bind(admin),
    update: admin.update.bind(admin),
    patch: admin.patch.bind(admin),
    createSubresource: admin.createSubresource.bind(admin),
    create: (...args) => {
      if (args[0] === Pods) wrote();
      return admin.create(...args);
    },
    delete: (...args) => {
      if (args[0] === Pods) wrote();
      return admin.delete(...args);
    },
  };
  const runtime: ControllerRuntime = createControllerContext({ clock, speed: "fast", client, log: () => {} });
  const context: ControllerRuntime = Object.assign(Object.create(runtime), {
    async yieldTurn() {
      current?.turns.push(0);
      await runtime.yieldTurn();
    },
    loop(name: string, sync: (key: string) => Promise<void>) {
      return runtime.loop(name, async (key) => {
        current = { writes: 0, turns: [0] };
        syncs.push(current);
        try {
          await sync(key);
        } finally {
          current = undefined;
        }
      });
    },
  });
  new ReplicaSetController(context);
  const settle = async () => {
    for (let i = 0; i < 500 && !runtime.idle; i++) await clock.advance(0);
  };
  await settle();
  return {
    admin,
    syncs,
    settle,
    stop() {
      runtime.stop();
      cluster.stop();
    },
  };
}

function replicaSet(replicas: number): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "big", namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "big" } },
      template: { metadata: { labels: { app: "big" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
  };
}

describe("ReplicaSet bursts", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  const cases = [
    { name: "scale up from 0 to 700", from: 0, to: 700, perSync: [500, 200] },
    { name: "scale down from 700 to 100", from: 700, to: 100, perSync: [500, 100] },
  ];
  for (const testCase of cases) {
    it(`${testCase.name}: at most ${BURST_REPLICAS} writes a sync, ${SLOW_START_CHUNK} between turns`, async () => {
      const run = await instrumented();
      stop = run.stop;
      await run.admin.create(ReplicaSets, replicaSet(testCase.from));
      await run.settle();
      const rs = await run.admin.get<ReplicaSet>(ReplicaSets, "default", "big");
      run.syncs.length = 0;
      rs.spec = { ...(rs.spec as NonNullable<ReplicaSet["spec"]>), replicas: testCase.to };
      await run.admin.update(ReplicaSets, rs);
      await run.settle();
      const pods = (await run.admin.list<Pod>(Pods, "default")).items.filter((pod) => !pod.metadata.deletionTimestamp);
      expect(pods).toHaveLength(testCase.to);
      const writing = run.syncs.filter((sync) => sync.writes > 0);
      expect(writing.map((sync) => sync.writes)).toEqual(testCase.perSync);
      for (const sync of writing) expect(Math.max(...sync.turns)).toBeLessThanOrEqual(SLOW_START_CHUNK);
      if (testCase.to > testCase.from) expect(writing[0].turns.slice(0, 4)).toEqual([1, 2, 4, 8]);
    });
  }
});
