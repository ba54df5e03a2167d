/**
 * Kubelab's kubectl: the command runner, and the pieces the grader and the app share
 * (kubeconfig loading, the REST client, discovery-based resource resolution, manifests, apply,
 * printers).
 */
export { runKubectl, suggestCommands } from "./kubectl";
export type { RunOptions } from "./kubectl";
export type { KubectlIO, InteractiveTerminal } from "./KubectlIO";
export type { SharedClients } from "./Command";
export { loadKubeconfig, connectionFromKubeConfig, kubeconfigPath } from "./kubeconfig";
export type { Connection, LoadedKubeconfig, KubeconfigOverrides } from "./kubeconfig";
export { applyObject, lastAppliedAnnotation, lastAppliedValue } from "./apply";
export type { ApplyOptions, ApplyResult } from "./apply";
export { threeWayMergePatch, applyStrategicPatch } from "./strategicMerge";
export { printObject, parseOutputFormat, asList } from "./printers/output";
export { printTable } from "./printers/table";
export type { Table } from "./printers/table";
export { RestClient, encodeQuery } from "./RestClient";
export type { RequestOptions, RawResponse } from "./RestClient";
export { Discovery, resourcePath, groupVersion, kindDotGroup } from "./Discovery";
export type { ResourceInfo } from "./Discovery";
export { parseManifests, readManifests } from "./manifests";
export type { ManifestObject } from "./manifests";
export { ApiStatusError, KubectlError, formatApiError } from "./errors";
export { toGoYaml } from "./printers/goYaml";
export { toGoJson } from "./printers/goJson";
export { JsonPath } from "./printers/jsonpath";
export { createNodeIO } from "./nodeIO";
