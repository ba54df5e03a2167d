import { describe, expect, it } from "vitest";
import type { Service } from "../../../api/core";
import { renderFieldError } from "../../ApiError";
import { fakeStrategyContext } from "../support/fakeStrategyContext";
import { services } from "./services";

const now = Date.parse("2026-01-01T12:00:00Z");

function service(spec: Service["spec"], name = "web"): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec };
}

function create(input: Service, context = fakeStrategyContext()) {
  const object = structuredClone(input);
  services.strategy.defaults?.(object, context);
  services.strategy.prepareForCreate?.(object, context);
  return { object, errors: (services.strategy.validate?.(object, context) ?? []).map(renderFieldError), context };
}

describe("service defaults and allocation", () => {
  it("defaults a ClusterIP service and allocates an address", () => {
    const { object, errors, context } = create(service({ selector: { app: "web" }, ports: [{ port: 80 }] }));
    expect(errors).toEqual([]);
    expect(object.spec).toEqual({
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
    });
    expect(object.status).toEqual({ loadBalancer: {} });
    expect(context.clusterIPs.has("10.96.0.10")).toBe(true);
  });

  it("allocates NodePorts for NodePort services and keeps requested ones", () => {
    const { object } = create(
      service({
        type: "NodePort",
        ports: [
          { port: 80, name: "http" },
          { port: 443, name: "https", nodePort: 30443 },
        ],
      }),
    );
    expect(object.spec?.ports?.map((port) => port.nodePort)).toEqual([30000, 30443]);
    expect(object.spec?.externalTrafficPolicy).toBe("Cluster");
  });

  it("leaves headless services without an address", () => {
    const { object, context } = create(
      service({ clusterIP: "None", selector: { app: "db" }, ports: [{ port: 5432 }] }),
    );
    expect(object.spec?.clusterIPs).toEqual(["None"]);
    expect(context.clusterIPs.size).toBe(0);
  });

  it("keeps allocated values on an update that omits them and releases on delete", () => {
    const context = fakeStrategyContext();
    const { object: old } = create(service({ type: "NodePort", ports: [{ port: 80 }] }), context);
    const update = service({ type: "NodePort", ports: [{ port: 80 }] });
    services.strategy.defaults?.(update, context);
    services.strategy.prepareForUpdate?.(update, old, context);
    expect(update.spec?.clusterIP).toBe(old.spec?.clusterIP);
    expect(update.spec?.ports?.[0].nodePort).toBe(old.spec?.ports?.[0].nodePort);
    services.strategy.afterDelete?.(update, context);
    expect(context.clusterIPs.size).toBe(0);
    expect(context.nodePorts.size).toBe(0);
  });

  it("forbids changing the ClusterIP", () => {
    const context = fakeStrategyContext();
    const { object: old } = create(service({ ports: [{ port: 80 }] }), context);
    const update = structuredClone(old);
    update.spec = { ...update.spec, clusterIP: "10.96.0.99", clusterIPs: ["10.96.0.99"] };
    expect((services.strategy.validateUpdate?.(update, old, context) ?? []).map(renderFieldError)).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set',
    ]);
  });

  it.each([
    ["no ports", service({ selector: { app: "x" } }), ["spec.ports: Required value"]],
    [
      "unnamed ports when there are several",
      service({ ports: [{ port: 80 }, { port: 81 }] }),
      ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
    ],
    [
      "a nodePort on a ClusterIP service",
      service({ ports: [{ port: 80, nodePort: 30080 }] }),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      "an unsupported type",
      service({ type: "Magic", ports: [{ port: 80 }] }),
      [
        'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
  ])("rejects %s", (_name, input, expected) => {
    expect(create(input).errors).toEqual(expected);
  });

  it("requires DNS-1035 names", () => {
    expect(create(service({ ports: [{ port: 80 }] }, "1web")).errors).toEqual([
      "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

// Expectations from upstream's printService/getServiceExternalIP/makePortString.
describe("printService", () => {
  const cells = (input: Service) => services.table?.cells(input, now);
  it.each([
    [
      "ClusterIP",
      {
        type: "ClusterIP",
        clusterIPs: ["10.96.0.10"],
        ports: [{ port: 80, protocol: "TCP" }],
        selector: { app: "web" },
      },
      undefined,
      ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "<unknown>", "app=web"],
    ],
    [
      "NodePort",
      {
        type: "NodePort",
        clusterIPs: ["10.96.0.11"],
        ports: [
          { port: 80, nodePort: 30080, protocol: "TCP" },
          { port: 53, protocol: "UDP" },
        ],
      },
      undefined,
      ["web", "NodePort", "10.96.0.11", "<none>", "80:30080/TCP,53/UDP", "<unknown>", "<none>"],
    ],
    [
      "pending LoadBalancer",
      { type: "LoadBalancer", clusterIPs: ["10.96.0.12"], ports: [{ port: 80, nodePort: 31000, protocol: "TCP" }] },
      { loadBalancer: {} },
      ["web", "LoadBalancer", "10.96.0.12", "<pending>", "80:31000/TCP", "<unknown>", "<none>"],
    ],
    [
      "LoadBalancer with ingress and external IPs",
      { type: "LoadBalancer", clusterIPs: ["10.96.0.12"], externalIPs: ["5.6.7.8"], ports: [] },
      { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } },
      ["web", "LoadBalancer", "10.96.0.12", "1.2.3.4,5.6.7.8", "<none>", "<unknown>", "<none>"],
    ],
    [
      "ExternalName",
      { type: "ExternalName", externalName: "example.com" },
      undefined,
      ["web", "ExternalName", "<none>", "example.com", "<none>", "<unknown>", "<none>"],
    ],
    [
      "headless",
      { type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"], ports: [{ port: 5432, protocol: "TCP" }] },
      undefined,
      ["web", "ClusterIP", "None", "<none>", "5432/TCP", "<unknown>", "<none>"],
    ],
  ])("%s", (_name, spec, status, expected) => {
    expect(cells({ ...service(spec as Service["spec"]), status: status as Service["status"] })).toEqual(expected);
  });
});
