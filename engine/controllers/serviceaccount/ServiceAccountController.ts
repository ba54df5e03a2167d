import type { ConfigMap, Namespace, ServiceAccount } from "../../api/core";
import { ConfigMaps, Namespaces, ServiceAccounts } from "../../api/resources";
import type { ControllerContext, WorkQueue } from "../runtime/types";
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from "../shared/claim";

/**
 * pkg/controller/serviceaccount: every active namespace has a `default` ServiceAccount; deleting
 * it brings it back.
 */
export class ServiceAccountController {
  private readonly queue: WorkQueue;
  private readonly namespaces;
  private readonly serviceAccounts;

  constructor(private readonly context: ControllerContext) {
    this.namespaces = context.informer<Namespace>(Namespaces);
    this.serviceAccounts = context.informer<ServiceAccount>(ServiceAccounts);
    this.queue = context.loop("serviceaccount", (namespace) => this.sync(namespace));
    this.namespaces.addHandlers({
      add: (ns) => this.queue.add(ns.metadata.name ?? ""),
      update: (_old, ns) => this.queue.add(ns.metadata.name ?? ""),
    });
    this.serviceAccounts.addHandlers({
      delete: (sa) => {
        if (sa.metadata.name === "default") this.queue.add(sa.metadata.namespace ?? "");
      },
    });
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") return;
    if (this.serviceAccounts.get(namespace, "default")) return;
    try {
      await this.context.client.create<ServiceAccount>(ServiceAccounts, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "default", namespace },
      });
    } catch (error) {
      if (isAlreadyExists(error) || isNamespaceTerminating(error) || isNotFound(error)) return;
      throw error;
    }
  }
}

export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";

/**
 * pkg/controller/certificates/rootcacertpublisher: a `kube-root-ca.crt` ConfigMap with the
 * cluster CA in every namespace, restored if deleted or edited. The CA is kube-controller-manager's
 * --root-ca-file (`rootCaFile`, kubeadm's /etc/kubernetes/pki/ca.crt), read once, as the real one reads
 * it at start; kube-system's copy is kept to it too, so a cluster whose store holds another CA (a
 * fresh store over a node written earlier) publishes the control plane's. Without `rootCaFile` the CA
 * is the copy the cluster bootstrap keeps in kube-system.
 */
export class RootCAPublisher {
  private readonly queue: WorkQueue;
  private readonly namespaces;
  private readonly configMaps;
  private rootCa: Promise<string | undefined> | undefined;

  constructor(
    private readonly context: ControllerContext,
    private readonly rootCaFile?: () => Promise<string | undefined>,
  ) {
    this.namespaces = context.informer<Namespace>(Namespaces);
    this.configMaps = context.informer<ConfigMap>(ConfigMaps);
    this.queue = context.loop("root-ca-cert-publisher", (namespace) => this.sync(namespace));
    this.namespaces.addHandlers({
      add: (ns) => this.queue.add(ns.metadata.name ?? ""),
      update: (_old, ns) => this.queue.add(ns.metadata.name ?? ""),
    });
    const changed = (cm: ConfigMap) => {
      if (cm.metadata.name !== ROOT_CA_CONFIGMAP) return;
      if (cm.metadata.namespace === "kube-system" && !this.rootCaFile) {
        for (const ns of this.namespaces.list()) this.queue.add(ns.metadata.name ?? "");
      } else {
        this.queue.add(cm.metadata.namespace ?? "");
      }
    };
    this.configMaps.addHandlers({ add: changed, update: (_old, cm) => changed(cm), delete: changed });
  }

  /** The CA to publish: the root CA file's, else kube-system's copy. */
  private async ca(): Promise<string | undefined> {
    if (!this.rootCaFile) return this.configMaps.get("kube-system", ROOT_CA_CONFIGMAP)?.data?.["ca.crt"];
    this.rootCa ??= this.rootCaFile().catch(() => undefined);
    return this.rootCa;
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(undefined, namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") return;
    const ca = await this.ca();
    if (ca === undefined || (namespace === "kube-system" && !this.rootCaFile)) return;
    const existing = this.configMaps.get(namespace, ROOT_CA_CONFIGMAP);
    const annotations = { "kubernetes.io/description": DESCRIPTION };
    try {
      if (!existing) {
        await this.context.client.create<ConfigMap>(ConfigMaps, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations },
          data: { "ca.crt": ca },
        });
        return;
      }
      if (
        existing.data?.["ca.crt"] === ca &&
        existing.metadata.annotations?.["kubernetes.io/description"] === DESCRIPTION
      )
        return;
      const copy = structuredClone(existing);
      copy.data = { "ca.crt": ca };
      copy.metadata.annotations = { ...(copy.metadata.annotations ?? {}), ...annotations };
      await this.context.client.update(ConfigMaps, copy);
    } catch (error) {
      if (isAlreadyExists(error) || isNamespaceTerminating(error) || isNotFound(error)) return;
      throw error;
    }
  }
}

const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";
