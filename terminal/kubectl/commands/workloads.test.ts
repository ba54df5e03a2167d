import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

/** The hosted test cluster runs no controllers, so a deployment there never rolls out. */
describe("kubectl rollout status --timeout", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
    await cluster.create(`apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: default}
spec:
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec: {containers: [{name: app, image: nginx}]}
`);
  }, 60_000);
  afterAll(async () => cluster?.close());

  it("gives up on a rollout that cannot finish, as watchtools.UntilWithSync's deadline does", async () => {
    const started = Date.now();
    const result = await cluster.kubectl("rollout", "status", "deploy/stuck", "--timeout=1s");
    expect(result).toEqual({
      status: 1,
      out: "Waiting for deployment spec update to be observed...\n",
      err: "error: timed out waiting for the condition\n",
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("rejects a timeout that is not a Go duration", async () => {
    const result = await cluster.kubectl("rollout", "status", "deploy/stuck", "--timeout=5");
    expect(result).toEqual({
      status: 1,
      out: "",
      err: 'Error: invalid argument "5" for "--timeout" flag: time: invalid duration "5"\nSee \'kubectl rollout status --help\' for usage.\n',
    });
  });
});
