import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "../../api/batch";
import type { Pod } from "../../api/core";
import { Jobs, Pods } from "../../api/resources";
import { createHarness, type Harness } from "../testing/harness";
import { JOB_TRACKING_FINALIZER } from "./util";

function job(name: string, managedBy?: string): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      ...(managedBy === undefined ? {} : { managedBy }),
      template: {
        metadata: { labels: { "job-name": name } },
        spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
      },
    },
  };
}

/** The error message the API server answers a create or update with ("" when it succeeds). */
async function failure(action: Promise<unknown>): Promise<string> {
  try {
    await action;
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("Job spec.managedBy (JobManagedBy, beta and on by default in 1.32)", () => {
  let harness: Harness;
  afterEach(() => harness?.stop());

  const cases: Array<{ name: string; managedBy?: string; runs: boolean }> = [
    { name: "unset: the job controller runs it", runs: true },
    {
      name: "kubernetes.io/job-controller: the job controller runs it",
      managedBy: "kubernetes.io/job-controller",
      runs: true,
    },
    { name: "another controller: left alone", managedBy: "kueue.x-k8s.io/multikueue", runs: false },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      harness = await createHarness({ controllers: ["job"] });
      await harness.client.create(Jobs, job("work", testCase.managedBy));
      await harness.settle(60_000);
      const pods = await harness.list<Pod>(Pods, "default");
      const stored = await harness.client.get<Job>(Jobs, "default", "work");
      if (testCase.runs) {
        expect(pods).toHaveLength(1);
        expect(stored.status?.active).toBe(1);
        expect(stored.status?.startTime).toBeDefined();
      } else {
        expect(pods).toHaveLength(0);
        // not even startTime or the uncounted list: the status is the external controller's
        expect(stored.status ?? {}).toEqual({});
      }
    });
  }

  it("leaves the tracking finalizer of a delegated job's pods to its controller", async () => {
    harness = await createHarness({ controllers: ["job"] });
    const created = await harness.client.create<Job>(Jobs, job("remote", "example.com/batch"));
    // The external controller created a pod the way the job controller would.
    await harness.client.create<Pod>(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "remote-abcde",
        namespace: "default",
        labels: { "job-name": "remote", "batch.kubernetes.io/controller-uid": created.metadata.uid ?? "" },
        finalizers: [JOB_TRACKING_FINALIZER],
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "Job",
            name: "remote",
            uid: created.metadata.uid ?? "",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
    });
    await harness.settle();
    const pod = await harness.client.get<Pod>(Pods, "default", "remote-abcde");
    pod.status = { phase: "Succeeded" };
    await harness.client.update(Pods, pod, { subresource: "status" });
    await harness.settle(10_000);
    const after = await harness.client.get<Pod>(Pods, "default", "remote-abcde");
    expect(after.metadata.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    expect((await harness.client.get<Job>(Jobs, "default", "remote")).status?.succeeded).toBeUndefined();
  });

  const invalid: Array<{ name: string; managedBy: string; message: string }> = [
    { name: "a domain-prefixed path is accepted", managedBy: "example.com/foo", message: "" },
    {
      name: "no path",
      managedBy: "example.com",
      message: 'spec.managedBy: Invalid value: "example.com": must be a domain-prefixed path (such as "acme.io/foo")',
    },
    {
      name: "empty",
      managedBy: "",
      message: "spec.managedBy: Required value",
    },
    {
      name: "host not a DNS subdomain",
      managedBy: "Example_com/foo",
      message:
        "spec.managedBy: Invalid value: \"Example_com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    },
    {
      name: "path with a space",
      managedBy: "example.com/a b",
      message:
        "spec.managedBy: Invalid value: \"a b\": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
    },
    {
      name: "longer than 63",
      managedBy: `example.com/${"x".repeat(60)}`,
      message: "spec.managedBy: Too long: may not be longer than 63",
    },
  ];
  for (const testCase of invalid) {
    it(`validation: ${testCase.name}`, async () => {
      harness = await createHarness({ controllers: [] });
      const message = await failure(harness.client.create(Jobs, job("v", testCase.managedBy)));
      if (testCase.message) expect(message).toContain(testCase.message);
      else expect(message).toBe("");
    });
  }

  it("is immutable", async () => {
    harness = await createHarness({ controllers: [] });
    const created = await harness.client.create<Job>(Jobs, job("fixed", "example.com/one"));
    const changed = structuredClone(created);
    if (changed.spec) changed.spec.managedBy = "example.com/two";
    expect(await failure(harness.client.update(Jobs, changed))).toContain(
      'spec.managedBy: Invalid value: "example.com/two": field is immutable',
    );
    const plain = await harness.client.create<Job>(Jobs, job("plain"));
    const set = structuredClone(plain);
    if (set.spec) set.spec.managedBy = "example.com/one";
    expect(await failure(harness.client.update(Jobs, set))).toContain("spec.managedBy: Invalid value");
  });
});
