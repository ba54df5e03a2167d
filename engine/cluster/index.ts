export { API_SERVER_PORT, bootstrapCluster, CONTROL_PLANE_IP, SYSTEM_NAMESPACES } from "./bootstrap";
export type { Component, ComponentContext, Speed } from "./Component";
export { componentStarters } from "./components";
export type { Cluster, ClusterHandle, ClusterOptions, ComponentStarter } from "./createCluster";
export { createCluster } from "./createCluster";
