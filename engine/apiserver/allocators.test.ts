import { describe, expect, it } from "vitest";
import { Services } from "../api/resources";
import type { KubeObject } from "../api/types";
import { VirtualClock } from "../clock/VirtualClock";
import { bootstrapCluster } from "../cluster/bootstrap";
import { KeyValueStore } from "../store/KeyValueStore";
import { createApiServer } from "./ApiServer";
import type { ResourceRequest } from "./ResourceRequest";
import { builtinResources } from "./resources";
import { seededRandom } from "./testing/testServer";

const admin = { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] };

function server(store = new KeyValueStore()) {
  const apiServer = createApiServer({
    clock: new VirtualClock(Date.UTC(2026, 0, 1)),
    store,
    resources: builtinResources,
    random: seededRandom(),
  });
  bootstrapCluster(apiServer);
  const create = (body: KubeObject, dryRun = false) =>
    apiServer.handle({
      verb: "create",
      gvr: Services,
      namespace: "default",
      body,
      options: dryRun ? { dryRun: ["All"] } : {},
      user: admin,
    } as ResourceRequest);
  return { apiServer, store, create };
}

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

const message = (response: { body: unknown }) => (response.body as { message: string }).message;

describe("service address allocation", () => {
  it("refuses a ClusterIP that is taken with upstream's Invalid error naming the service", async () => {
    const { create } = server();
    expect((await create(service("a", { clusterIP: "10.96.0.50" }))).status).toBe(201);
    const taken = await create(service("b", { clusterIP: "10.96.0.50" }));
    expect(taken.status).toBe(422);
    expect(message(taken)).toBe(
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.50"}: failed to allocate IP 10.96.0.50: provided IP is already allocated',
    );
  });

  it("refuses a NodePort that is taken, naming the port's index", async () => {
    const { create } = server();
    expect((await create(service("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }))).status).toBe(201);
    const first = await create(service("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }));
    expect(message(first)).toBe(
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const second = await create(
      service("c", {
        type: "NodePort",
        ports: [
          { name: "a", port: 81, nodePort: 30081 },
          { name: "b", port: 80, nodePort: 30080 },
        ],
      }),
    );
    expect(message(second)).toBe(
      'Service "c" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated',
    );
  });

  it("keeps nothing a dry run allocated", async () => {
    const { create } = server();
    const dry = await create(
      service("a", { type: "NodePort", clusterIP: "10.96.0.60", ports: [{ port: 80, nodePort: 30090 }] }),
      true,
    );
    expect(dry.status).toBe(201);
    const real = await create(
      service("b", { type: "NodePort", clusterIP: "10.96.0.60", ports: [{ port: 80, nodePort: 30090 }] }),
    );
    expect(real.status).toBe(201);
  });

  it("still knows what is allocated after the store is snapshotted and restored into a new server", async () => {
    const first = server();
    expect(
      (
        await first.create(
          service("a", { type: "NodePort", clusterIP: "10.96.0.70", ports: [{ port: 80, nodePort: 30100 }] }),
        )
      ).status,
    ).toBe(201);
    const restored = new KeyValueStore();
    restored.restore(first.store.snapshot());
    const second = server(restored);
    expect(message(await second.create(service("b", { clusterIP: "10.96.0.70" })))).toContain(
      "failed to allocate IP 10.96.0.70: provided IP is already allocated",
    );
    expect(
      message(await second.create(service("c", { type: "NodePort", ports: [{ port: 80, nodePort: 30100 }] }))),
    ).toContain("spec.ports[0].nodePort: Invalid value: 30100: provided port is already allocated");
    // kube-dns's address is taken too (bootstrap), and dynamic allocation avoids every stored address.
    for (let index = 0; index < 20; index++) {
      const created = await second.create(service(`d${index}`, { type: "NodePort" }));
      expect(created.status).toBe(201);
      const spec = (created.body as KubeObject).spec;
      expect(spec.clusterIP).not.toBe("10.96.0.70");
      expect(spec.ports[0].nodePort).not.toBe(30100);
    }
  });
});
