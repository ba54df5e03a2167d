import { describe, expect, it } from "vitest";
import { decodeProtobufObject, messageNameOf } from "./decodeProtobuf";

// Bodies captured from the real kubectl 1.32 (`kubectl create configmap cm1 --from-literal=a=b`,
// `kubectl create deployment web --image=nginx:1.27 --replicas=0 --port=80`).
const configMap = "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEh0KEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBYhoAIgA=";
const deployment =
  "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAASDAoKCgNhcHASA3dlYhpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjcqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==";
const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, "base64"));

describe("decodeProtobufObject", () => {
  it("decodes a ConfigMap as kubectl sends it", () => {
    expect(decodeProtobufObject(bytes(configMap))).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm1" },
      data: { a: "b" },
    });
  });

  it("decodes a Deployment, keeping replicas: 0 and dropping plain zero values", () => {
    const object = decodeProtobufObject(bytes(deployment)) as {
      metadata: { creationTimestamp?: string };
      spec: { template: { spec: { containers: Array<{ stdin?: boolean }> } } };
    };
    expect(object).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    expect(object.metadata.creationTimestamp).toBeUndefined();
    expect(object.spec.template.spec.containers[0].stdin).toBeUndefined();
  });

  it("rejects bodies without the k8s envelope", () => {
    expect(() => decodeProtobufObject(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(
      "does not appear to be a protobuf message",
    );
  });

  it("maps API groups to upstream's proto packages", () => {
    expect(messageNameOf("v1", "Pod")).toBe("k8s.io.api.core.v1.Pod");
    expect(messageNameOf("rbac.authorization.k8s.io/v1", "Role")).toBe("k8s.io.api.rbac.v1.Role");
    expect(messageNameOf("autoscaling/v2", "HorizontalPodAutoscaler")).toBe(
      "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler",
    );
    expect(messageNameOf("v1", "DeleteOptions")).toBe("k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions");
  });
});

/** A minimal protobuf writer for hand-built bodies: length-delimited fields only. */
function field(number: number, payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return new Uint8Array([...varint((number << 3) | 2), ...varint(bytes.length), ...bytes]);
}
function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    out.push((rest & 0x7f) | (rest > 0x7f ? 0x80 : 0));
    rest >>= 7;
  } while (rest > 0);
  return out;
}
const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((part) => [...part]));
const envelope = (apiVersion: string, kind: string, raw: Uint8Array) =>
  concat(new Uint8Array([0x6b, 0x38, 0x73, 0]), field(1, concat(field(1, apiVersion), field(2, kind))), field(2, raw));

describe("inline (embedded) structs", () => {
  it("flattens IngressRule.ingressRuleValue as the JSON form does (kubectl create ingress --rule)", () => {
    const path = concat(field(1, "/bar"), field(3, "Prefix"));
    const rule = concat(field(1, "foo.com"), field(2, field(1, field(1, path))));
    const ingress = concat(field(1, field(1, "simple")), field(2, field(3, rule)));
    const object = decodeProtobufObject(envelope("networking.k8s.io/v1", "Ingress", ingress));
    expect(object).toMatchObject({
      spec: { rules: [{ host: "foo.com", http: { paths: [{ path: "/bar", pathType: "Prefix" }] } }] },
    });
    expect(JSON.stringify(object)).not.toContain("ingressRuleValue");
  });

  it("flattens Volume.volumeSource and LocalObjectReference", () => {
    const volume = concat(field(1, "config"), field(2, field(19, field(1, field(1, "app-config")))));
    const pod = concat(field(1, field(1, "p")), field(2, field(1, volume)));
    const object = decodeProtobufObject(envelope("v1", "Pod", pod));
    expect(object).toMatchObject({ spec: { volumes: [{ name: "config", configMap: { name: "app-config" } }] } });
  });
});

/** A varint field, as Go writes every non-pointer scalar and each set pointer. */
function scalarField(number: number, value: number): Uint8Array {
  return new Uint8Array([...varint(number << 3), ...varint(value)]);
}

describe("zero values", () => {
  /** An IntOrString holding an int, written as Go does: type and intVal always present. */
  const intOrString = (value: number) => concat(scalarField(1, 0), scalarField(2, value));

  it("keeps an IntOrString zero (a set pointer): maxUnavailable 0 with maxSurge 1", () => {
    const rollingUpdate = concat(field(1, intOrString(0)), field(2, intOrString(1)));
    const strategy = concat(field(1, "RollingUpdate"), field(2, rollingUpdate));
    const deployment = concat(field(1, field(1, "web")), field(2, concat(scalarField(1, 2), field(4, strategy))));
    expect(decodeProtobufObject(envelope("apps/v1", "Deployment", deployment))).toMatchObject({
      spec: { replicas: 2, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
    });
  });

  it("keeps minAvailable 0 of a PodDisruptionBudget (kubectl create pdb --min-available=0)", () => {
    const pdb = concat(field(1, field(1, "pdb")), field(2, field(1, intOrString(0))));
    expect(decodeProtobufObject(envelope("policy/v1", "PodDisruptionBudget", pdb))).toMatchObject({
      spec: { minAvailable: 0 },
    });
  });

  it("keeps set pointers and non-omitempty scalars at zero, drops omitempty zeros", () => {
    // Toleration.tolerationSeconds is *int64: 0 means evict at once, and JSON keeps it.
    const toleration = concat(field(1, "node.kubernetes.io/unreachable"), field(4, "NoExecute"), scalarField(5, 0));
    // PodSpec.hostNetwork is a plain bool with omitempty: Go writes false, JSON omits it.
    const spec = concat(field(2, field(1, "c")), scalarField(11, 0), field(22, toleration));
    const object = decodeProtobufObject(envelope("v1", "Pod", concat(field(1, field(1, "p")), field(2, spec)))) as {
      spec: { hostNetwork?: boolean; tolerations: Array<{ tolerationSeconds?: number }> };
    };
    expect(object.spec.tolerations[0].tolerationSeconds).toBe(0);
    expect(object.spec.hostNetwork).toBeUndefined();
  });
});
