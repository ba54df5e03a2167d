import type { ConfigMap, Secret } from "../../api/core";
import { ConfigMaps, Secrets } from "../../api/resources";
import type { ControllerContext, Informer, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import {
  CLUSTER_INFO,
  CLUSTER_INFO_NAMESPACE,
  detachedJws,
  JWS_KEY_PREFIX,
  KUBECONFIG_KEY,
  signingToken,
  TOKEN_SECRET_NAMESPACE,
  TOKEN_SECRET_TYPE,
} from "./tokens";

const KEY = "signer";

/**
 * kube-controller-manager's bootstrapsigner (pkg/controller/bootstrap/bootstrapsigner.go): keeps
 * kube-public/cluster-info signed for every bootstrap token that may sign — one
 * `jws-kubeconfig-<token-id>` key per token, a detached HS256 JWS of the `kubeconfig` key — and
 * drops the keys of tokens that are gone, expired or no longer for signing. One queue key: any
 * change to cluster-info or a token Secret re-signs the whole map, as upstream's single "signer" key.
 */
export class BootstrapSigner {
  private readonly queue: WorkQueue;
  private readonly configMaps: Informer<ConfigMap>;
  private readonly secrets: Informer<Secret>;

  constructor(private readonly context: ControllerContext) {
    this.configMaps = context.informer<ConfigMap>(ConfigMaps);
    this.secrets = context.informer<Secret>(Secrets);
    this.queue = context.loop("bootstrap_signer_queue", () => this.sign());
    const clusterInfo = (cm: ConfigMap) => {
      if (cm.metadata.namespace === CLUSTER_INFO_NAMESPACE && cm.metadata.name === CLUSTER_INFO) this.queue.add(KEY);
    };
    this.configMaps.addHandlers({ add: clusterInfo, update: (_old, cm) => clusterInfo(cm) });
    const token = (secret: Secret) => {
      if (secret.metadata.namespace === TOKEN_SECRET_NAMESPACE && secret.type === TOKEN_SECRET_TYPE)
        this.queue.add(KEY);
    };
    this.secrets.addHandlers({ add: token, update: (_old, secret) => token(secret), delete: token });
  }

  private async sign(): Promise<void> {
    const original = this.configMaps.get(CLUSTER_INFO_NAMESPACE, CLUSTER_INFO);
    if (!original) return;
    const content = original.data?.[KUBECONFIG_KEY];
    if (content === undefined) {
      this.context.log(`No ${KUBECONFIG_KEY} key in ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO} configMap.`);
      return;
    }
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(original.data ?? {}))
      if (!key.startsWith(JWS_KEY_PREFIX)) data[key] = value;
    const now = this.context.clock.now();
    for (const secret of this.secrets.list(TOKEN_SECRET_NAMESPACE)) {
      const token = signingToken(secret, now);
      if (token) data[`${JWS_KEY_PREFIX}${token.id}`] = detachedJws(content, token.id, token.secret);
    }
    if (sameData(original.data ?? {}, data)) return;
    try {
      await this.context.client.update<ConfigMap>(ConfigMaps, { ...original, data });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
