/**
 * Every built-in resource the API server serves, one ResourceDefinition each. The generic
 * registry runs their strategies; discovery, OpenAPI and Table responses read them.
 */
import type { ResourceDefinition } from "../ResourceDefinition";
import { customResourceDefinitions } from "./apiextensions/customresourcedefinitions";
import { controllerRevisions } from "./apps/controllerrevisions";
import { daemonSets } from "./apps/daemonsets";
import { deployments } from "./apps/deployments";
import { replicaSets } from "./apps/replicasets";
import { statefulSets } from "./apps/statefulsets";
import { horizontalPodAutoscalers } from "./autoscaling/horizontalpodautoscalers";
import { cronJobs } from "./batch/cronjobs";
import { jobs } from "./batch/jobs";
import { certificateSigningRequests } from "./certificates/certificatesigningrequests";
import { leases } from "./coordination/leases";
import { configMaps } from "./core/configmaps";
import { endpoints } from "./core/endpoints";
import { events } from "./core/events";
import { limitRanges } from "./core/limitranges";
import { namespaces } from "./core/namespaces";
import { nodes } from "./core/nodes";
import { persistentVolumeClaims } from "./core/persistentvolumeclaims";
import { persistentVolumes } from "./core/persistentvolumes";
import { pods } from "./core/pods";
import { resourceQuotas } from "./core/resourcequotas";
import { secrets } from "./core/secrets";
import { serviceAccounts } from "./core/serviceaccounts";
import { services } from "./core/services";
import { endpointSlices } from "./discovery/endpointslices";
import { eventsV1Events } from "./events/events";
import { ingressClasses } from "./networking/ingressclasses";
import { ingresses } from "./networking/ingresses";
import { networkPolicies } from "./networking/networkpolicies";
import { podDisruptionBudgets } from "./policy/poddisruptionbudgets";
import { clusterRoleBindings, roleBindings } from "./rbac/bindings";
import { clusterRoles, roles } from "./rbac/roles";
import { priorityClasses } from "./scheduling/priorityclasses";
import { storageClasses } from "./storage/storageclasses";

/** In discovery order: core first, then the groups as the real apiserver lists them. */
export const builtinResources: ResourceDefinition[] = [
  pods,
  namespaces,
  nodes,
  services,
  endpoints,
  configMaps,
  secrets,
  serviceAccounts,
  events,
  persistentVolumes,
  persistentVolumeClaims,
  resourceQuotas,
  limitRanges,
  deployments,
  replicaSets,
  daemonSets,
  statefulSets,
  controllerRevisions,
  eventsV1Events,
  horizontalPodAutoscalers,
  jobs,
  cronJobs,
  certificateSigningRequests,
  networkPolicies,
  ingresses,
  ingressClasses,
  endpointSlices,
  leases,
  storageClasses,
  roles,
  roleBindings,
  clusterRoles,
  clusterRoleBindings,
  customResourceDefinitions,
  priorityClasses,
  podDisruptionBudgets,
] as unknown as ResourceDefinition[];

export { customResourceSchema, customResourceTable } from "./apiextensions/customresourcedefinitions";
export { cronScheduleError } from "./batch/cronSchedule";
export { controllerUidLabel, jobNameLabel, legacyControllerUidLabel, legacyJobNameLabel } from "./batch/jobs";
export { namespaceNameLabel } from "./core/namespaces";
export { podQosClass } from "./core/pods";
export { kindDefinitionName, kindSchema, schemaComponents } from "./schema/schemas";
export { findTypeError } from "./schema/typeErrors";
