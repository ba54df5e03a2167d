import type { KubeletConnection } from "./KubeletConnection";

/**
 * Where each node's kubelet registers the connection the API server proxies `log`, `exec`,
 * `attach` and `portforward` to (upstream dials the kubelet's port 10250). A node without a
 * registered kubelet answers like a kubelet that cannot be reached.
 */
export class KubeletRegistry {
  private readonly connections = new Map<string, KubeletConnection>();

  /** Registers the kubelet of `nodeName`; returns a disposer that unregisters it. */
  register(nodeName: string, connection: KubeletConnection): () => void {
    this.connections.set(nodeName, connection);
    return () => {
      if (this.connections.get(nodeName) === connection) this.connections.delete(nodeName);
    };
  }

  get(nodeName: string): KubeletConnection | undefined {
    return this.connections.get(nodeName);
  }

  nodeNames(): string[] {
    return [...this.connections.keys()];
  }
}
