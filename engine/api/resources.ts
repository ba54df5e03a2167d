import type { GroupVersionResource } from "./types";

/** Resource identifiers the engine's components use with the in-process client. */
const gvr = (group: string, version: string, resource: string): GroupVersionResource => ({ group, version, resource });

export const Namespaces = gvr("", "v1", "namespaces");
export const Nodes = gvr("", "v1", "nodes");
export const Pods = gvr("", "v1", "pods");
export const Services = gvr("", "v1", "services");
export const Endpoints = gvr("", "v1", "endpoints");
export const ConfigMaps = gvr("", "v1", "configmaps");
export const Secrets = gvr("", "v1", "secrets");
export const ServiceAccounts = gvr("", "v1", "serviceaccounts");
export const Events = gvr("", "v1", "events");
export const PersistentVolumes = gvr("", "v1", "persistentvolumes");
export const PersistentVolumeClaims = gvr("", "v1", "persistentvolumeclaims");
export const ResourceQuotas = gvr("", "v1", "resourcequotas");
export const LimitRanges = gvr("", "v1", "limitranges");
export const Deployments = gvr("apps", "v1", "deployments");
export const ReplicaSets = gvr("apps", "v1", "replicasets");
export const DaemonSets = gvr("apps", "v1", "daemonsets");
export const StatefulSets = gvr("apps", "v1", "statefulsets");
export const ControllerRevisions = gvr("apps", "v1", "controllerrevisions");
export const Jobs = gvr("batch", "v1", "jobs");
export const CronJobs = gvr("batch", "v1", "cronjobs");
export const HorizontalPodAutoscalers = gvr("autoscaling", "v2", "horizontalpodautoscalers");
export const Ingresses = gvr("networking.k8s.io", "v1", "ingresses");
export const IngressClasses = gvr("networking.k8s.io", "v1", "ingressclasses");
export const NetworkPolicies = gvr("networking.k8s.io", "v1", "networkpolicies");
export const EndpointSlices = gvr("discovery.k8s.io", "v1", "endpointslices");
export const Leases = gvr("coordination.k8s.io", "v1", "leases");
export const StorageClasses = gvr("storage.k8s.io", "v1", "storageclasses");
export const PriorityClasses = gvr("scheduling.k8s.io", "v1", "priorityclasses");
export const Roles = gvr("rbac.authorization.k8s.io", "v1", "roles");
export const RoleBindings = gvr("rbac.authorization.k8s.io", "v1", "rolebindings");
export const ClusterRoles = gvr("rbac.authorization.k8s.io", "v1", "clusterroles");
export const ClusterRoleBindings = gvr("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
export const CustomResourceDefinitions = gvr("apiextensions.k8s.io", "v1", "customresourcedefinitions");
export const CertificateSigningRequests = gvr("certificates.k8s.io", "v1", "certificatesigningrequests");
