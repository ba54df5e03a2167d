/** discovery.k8s.io/v1 object shapes (plain JSON as on the wire). */
import type { ObjectReference } from "./core";
import type { KubeObject } from "./types";

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  deprecatedTopology?: Record<string, string>;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: Array<{ name: string }>; forNodes?: Array<{ name: string }> };
}

export interface EndpointSlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: "IPv4" | "IPv6" | "FQDN" | string;
  endpoints: Endpoint[];
  ports?: EndpointSlicePort[];
}
