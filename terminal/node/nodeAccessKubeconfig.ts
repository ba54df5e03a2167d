import { parse, stringify } from "yaml";

/**
 * Node access (ssh, crictl, etcdctl, node files) for shells started by hand against a standalone
 * cluster: `kubelab cluster up` serves its nodes on a loopback NodeAccessServer and records the URL
 * and token as an extension of the kubeconfig's cluster entry (kubeconfig clusters carry named
 * `extensions`, which kubectl keeps and ignores, as minikube's do). A shell given that kubeconfig
 * finds its node access there.
 */
export const nodeAccessExtension = "kubelab.dev/node-access";

/** Where a shell reaches a cluster's nodes. */
export interface NodeAccessEndpoint {
  url: string;
  token: string;
}

interface KubeconfigDocument {
  clusters?: { name?: string; cluster?: { extensions?: { name?: string; extension?: unknown }[] } }[];
  contexts?: { name?: string; context?: { cluster?: string } }[];
  "current-context"?: string;
}

function currentCluster(config: KubeconfigDocument) {
  const context = config.contexts?.find((entry) => entry.name === config["current-context"]);
  return config.clusters?.find((entry) => entry.name === context?.context?.cluster);
}

/** The kubeconfig with the node access recorded on its current context's cluster. */
export function withNodeAccess(kubeconfig: string, endpoint: NodeAccessEndpoint): string {
  const config = parse(kubeconfig) as KubeconfigDocument;
  const entry = currentCluster(config);
  if (!entry?.cluster) throw new Error("the kubeconfig has no current cluster");
  const others = (entry.cluster.extensions ?? []).filter((extension) => extension.name !== nodeAccessExtension);
  entry.cluster.extensions = [
    ...others,
    { name: nodeAccessExtension, extension: { url: endpoint.url, token: endpoint.token } },
  ];
  return stringify(config);
}

/** The node access recorded in a kubeconfig for its current cluster, if any. */
export function nodeAccessFromKubeconfig(kubeconfig: string): NodeAccessEndpoint | undefined {
  let config: KubeconfigDocument;
  try {
    config = parse(kubeconfig) as KubeconfigDocument;
  } catch {
    return undefined;
  }
  if (!config || typeof config !== "object") return undefined;
  const extension = currentCluster(config)?.cluster?.extensions?.find((entry) => entry.name === nodeAccessExtension)
    ?.extension as Partial<NodeAccessEndpoint> | undefined;
  if (typeof extension?.url !== "string" || typeof extension.token !== "string") return undefined;
  // Only a loopback endpoint: the node access server listens on 127.0.0.1 beside the cluster.
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(extension.url)) return undefined;
  return { url: extension.url, token: extension.token };
}
