import { describe, expect, it } from "vitest";
import { kindSchema, schemaComponents } from "./schemas";
import { findTypeError } from "./typeErrors";

const pod = kindSchema("", "v1", "Pod");
const deployment = kindSchema("apps", "v1", "Deployment");

describe("findTypeError", () => {
  const podError = (body: unknown) => (pod ? findTypeError(body, pod, schemaComponents, "Pod", "v1") : "no schema");
  it.each([
    [
      "a string where a list belongs",
      { spec: { containers: "nginx" } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
    ],
    [
      "a string port",
      { spec: { containers: [{ name: "a", ports: [{ containerPort: "80" }] }] } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ],
    [
      "a fractional integer",
      { spec: { terminationGracePeriodSeconds: 1.5 } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64',
    ],
    [
      "a number label",
      { metadata: { labels: { app: 1 } } },
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    ],
    [
      "a bad quantity",
      { spec: { containers: [{ name: "a", resources: { limits: { cpu: "lots" } } }] } },
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ],
  ])("reports %s", (_name, body, expected) => {
    expect(podError(body)).toBe(expected);
  });

  it("accepts well-typed bodies, numeric quantities and int-or-string ports", () => {
    expect(
      podError({
        metadata: { name: "web", labels: { app: "web" }, finalizers: null },
        spec: {
          containers: [
            {
              name: "nginx",
              image: "nginx",
              resources: { limits: { cpu: 1, memory: "128Mi" } },
              livenessProbe: { httpGet: { port: "http", path: "/" } },
            },
          ],
          unknownField: 3,
        },
      }),
    ).toBeUndefined();
    expect(
      deployment && findTypeError({ spec: { replicas: "3" } }, deployment, schemaComponents, "Deployment", "v1"),
    ).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });
});
