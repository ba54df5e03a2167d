/**
 * Kubelab's kubectl: the command runner, and the pieces the grader and the app share
 * (kubeconfig loading, the REST client, discovery-based resource resolution, manifests, apply,
 * printers).
 */

export type { ApplyOptions, ApplyResult } from "./apply";
export { applyObject, lastAppliedAnnotation, lastAppliedValue } from "./apply";
export type { SharedClients } from "./Command";
export type { ResourceInfo } from "./Discovery";
export { Discovery, groupVersion, kindDotGroup, resourcePath } from "./Discovery";
export { ApiStatusError, formatApiError, KubectlError } from "./errors";
export type { InteractiveTerminal, KubectlIO } from "./KubectlIO";
export type { Connection, KubeconfigOverrides, LoadedKubeconfig } from "./kubeconfig";
export { connectionFromKubeConfig, kubeconfigPath, loadKubeconfig } from "./kubeconfig";
export type { RunOptions } from "./kubectl";
export { runKubectl, suggestCommands } from "./kubectl";
export { buildKustomization, KustomizeError, kustomizeBuild, readFilenameOptions } from "./kustomize";
export type { ManifestObject } from "./manifests";
export { parseManifests, readManifests } from "./manifests";
export { createNodeIO } from "./nodeIO";
export { toGoJson } from "./printers/goJson";
export { toGoYaml } from "./printers/goYaml";
export { JsonPath } from "./printers/jsonpath";
export { asList, parseOutputFormat, printObject } from "./printers/output";
export type { Table } from "./printers/table";
export { printTable } from "./printers/table";
export type { RawResponse, RequestOptions } from "./RestClient";
export { encodeQuery, RestClient } from "./RestClient";
export { applyStrategicPatch, threeWayMergePatch } from "./strategicMerge";
