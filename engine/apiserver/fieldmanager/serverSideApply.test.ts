import { describe, expect, it } from "vitest";
import { Deployments } from "../../api/resources";
import type { KubeObject } from "../../api/types";
import { ApiError } from "../ApiError";
import { createTestServer } from "../testing/testServer";

const deployment = (replicas: number, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
    ...extra,
  },
});

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("server-side apply", () => {
  it("creates on apply and records the manager's fields", async () => {
    const { client } = createTestServer();
    const created = await client.patch(Deployments, "default", "web", "apply", deployment(2), {
      fieldManager: "kubectl",
    });
    expect(created.spec.replicas).toBe(2);
    const entry = created.metadata.managedFields?.find((field) => field.manager === "kubectl");
    expect(entry).toMatchObject({ operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1" });
    expect(entry?.fieldsV1).toMatchObject({
      "f:spec": {
        "f:replicas": {},
        "f:template": {
          "f:spec": { "f:containers": { 'k:{"name":"nginx"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
      },
    });
  });

  it("conflicts with another manager's field and takes it over with force", async () => {
    const { client } = createTestServer();
    await client.create(Deployments, deployment(1), { fieldManager: "kubectl-client-side-apply" });
    const conflict = await failure(
      client.patch(Deployments, "default", "web", "apply", deployment(3), { fieldManager: "kubectl" }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    expect(conflict.details?.causes).toEqual([
      {
        reason: "FieldManagerConflict",
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: ".spec.replicas",
      },
    ]);
    // Applying the same value is shared ownership, not a conflict.
    await client.patch(Deployments, "default", "web", "apply", deployment(1), { fieldManager: "kubectl" });
    const forced = await client.patch(Deployments, "default", "web", "apply", deployment(3), {
      fieldManager: "kubectl",
      force: true,
    });
    expect(forced.spec.replicas).toBe(3);
    const other = forced.metadata.managedFields?.find((field) => field.manager === "kubectl-client-side-apply");
    expect(JSON.stringify(other?.fieldsV1 ?? {})).not.toContain("f:replicas");
  });

  it("removes a field the manager stops applying when nobody else owns it", async () => {
    const { client } = createTestServer();
    await client.patch(Deployments, "default", "web", "apply", deployment(2, { minReadySeconds: 5 }), {
      fieldManager: "kubectl",
    });
    const reapplied = await client.patch(Deployments, "default", "web", "apply", deployment(2), {
      fieldManager: "kubectl",
    });
    expect(reapplied.spec.minReadySeconds).toBeUndefined();
    expect(reapplied.spec.replicas).toBe(2);
  });

  it("lists several conflicts by manager", async () => {
    const { client } = createTestServer();
    await client.create(Deployments, deployment(1, { minReadySeconds: 1 }), { fieldManager: "editor" });
    const conflict = await failure(
      client.patch(Deployments, "default", "web", "apply", deployment(4, { minReadySeconds: 9 }), {
        fieldManager: "kubectl",
      }),
    );
    expect(conflict.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "editor" using apps/v1:\n- .spec.minReadySeconds\n- .spec.replicas',
    );
  });

  it("gives updates' changed fields to their manager and takes them from others", async () => {
    const { client } = createTestServer();
    await client.patch(Deployments, "default", "web", "apply", deployment(2), { fieldManager: "kubectl" });
    const scaled = await client.patch(
      Deployments,
      "default",
      "web",
      "merge",
      { spec: { replicas: 5 } },
      { fieldManager: "kubectl-scale" },
    );
    const owners = Object.fromEntries(
      (scaled.metadata.managedFields ?? []).map((field) => [field.manager, JSON.stringify(field.fieldsV1)]),
    );
    expect(owners["kubectl-scale"]).toContain("f:replicas");
    expect(owners.kubectl).not.toContain("f:replicas");
    // Now kubectl re-applying 2 replicas conflicts with the scaler.
    const conflict = await failure(
      client.patch(Deployments, "default", "web", "apply", deployment(2), { fieldManager: "kubectl" }),
    );
    expect(conflict.message).toContain('conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  });
});

describe("server-side apply list keys", () => {
  it("matches a port without protocol to the defaulted TCP one instead of duplicating it", async () => {
    const { client } = createTestServer();
    const withPort = (port: Record<string, unknown>) =>
      deployment(1, {
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx", ports: [port] }] },
        },
      });
    await client.create(Deployments, withPort({ containerPort: 80, protocol: "TCP" }), {
      fieldManager: "kubectl-client-side-apply",
    });
    const applied = await client.patch(Deployments, "default", "web", "apply", withPort({ containerPort: 80 }), {
      fieldManager: "kubectl",
    });
    expect(applied.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: "TCP" }]);
  });
});
