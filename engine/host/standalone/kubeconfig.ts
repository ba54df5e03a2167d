import { stringify } from "yaml";

export interface KubeconfigOptions {
  server: string;
  token: string;
  certificateAuthorityPem: string;
  clusterName?: string;
  userName?: string;
}

/**
 * A kubeconfig as kind/kubeadm write them: cluster `kubelab`, user `kubernetes-admin`, context
 * `kubernetes-admin@kubelab`, with the cluster's CA embedded and a bearer token.
 */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const cluster = options.clusterName ?? "kubelab";
  const user = options.userName ?? "kubernetes-admin";
  const context = `${user}@${cluster}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster,
        cluster: {
          server: options.server,
          "certificate-authority-data": Buffer.from(options.certificateAuthorityPem).toString("base64"),
        },
      },
    ],
    users: [{ name: user, user: { token: options.token } }],
    contexts: [{ name: context, context: { cluster, user } }],
    "current-context": context,
    preferences: {},
  });
}
