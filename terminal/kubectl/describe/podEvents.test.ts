import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostedKubectl, startHostedKubectl } from "../testing/hostedKubectl";

const staticUid = "86fe078c-0000-4000-8000-000000000001";

const event = (name: string, pod: string, uid: string, reason: string) => `apiVersion: v1
kind: Event
metadata: {name: ${name}, namespace: default}
involvedObject: {apiVersion: v1, kind: Pod, name: ${pod}, namespace: default, uid: "${uid}"}
reason: ${reason}
message: ${reason} message
type: Normal
source: {component: kubelet}
firstTimestamp: "2026-11-01T10:00:00Z"
lastTimestamp: "2026-11-01T10:00:00Z"
count: 1
`;

describe("kubectl describe pod: events as PodDescriber searches them", () => {
  let cluster: HostedKubectl;
  beforeAll(async () => {
    cluster = await startHostedKubectl();
    await cluster.create(`apiVersion: v1
kind: Pod
metadata:
  name: etcd-controlplane
  namespace: default
  annotations: {kubernetes.io/config.mirror: "${staticUid}"}
spec:
  containers: [{name: etcd, image: registry.k8s.io/etcd:3.5.16-0}]
`);
    await cluster.create(event("etcd.mirror", "etcd-controlplane", staticUid, "StaticPodStarted"));
    await cluster.create(event("etcd.other", "etcd-controlplane", "11111111-0000-4000-8000-000000000000", "OtherUid"));
  }, 60_000);
  afterAll(async () => cluster?.close());

  it("finds a mirror pod's events by the kubernetes.io/config.mirror UID", async () => {
    const result = await cluster.kubectl("describe", "pod", "etcd-controlplane");
    expect(result.err).toBe("");
    expect(result.out).toContain("StaticPodStarted message");
    expect(result.out).not.toContain("OtherUid");
  });
});
