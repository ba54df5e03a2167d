export { createCluster } from "./createCluster";
export type { Cluster, ClusterOptions, ClusterHandle, ComponentStarter } from "./createCluster";
export { componentStarters } from "./components";
export { bootstrapCluster, CONTROL_PLANE_IP, API_SERVER_PORT, SYSTEM_NAMESPACES } from "./bootstrap";
export { DEFAULT_CA_CERTIFICATE } from "./caCertificate";
export type { Component, ComponentContext, Speed } from "./Component";
