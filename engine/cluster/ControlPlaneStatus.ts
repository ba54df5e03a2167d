import type { ControlPlaneComponent, ControlPlaneLink } from "../runtime";

/**
 * Whether each control-plane static pod's program serves, as the control plane node's runtime
 * reports it (engine/runtime's control-plane programs) and its kubelet, once it has read
 * /etc/kubernetes/manifests. On a kubeadm node those static pods *are* the control plane: the
 * engine's scheduler and controller manager run only while theirs serve, and the API is
 * reachable from outside only while kube-apiserver and etcd do (createCluster, the hosts).
 *
 * A component nobody has reported on yet counts as serving: a cluster without kubelets (API-only
 * tests, benches) has no static pods, and a booting node's static pods take a few ms to start.
 * It turns "not serving" when a program of it exits, fails to start, or when the control plane's
 * kubelet finds no manifest for it (or a restored one not running) at start.
 */
export class ControlPlaneStatus implements ControlPlaneLink {
  private readonly serving = new Map<ControlPlaneComponent, number>();
  private readonly known = new Set<ControlPlaneComponent>();
  private readonly listeners = new Set<() => void>();

  /** True while `component` serves (or nothing has been reported about it). */
  isServing(component: ControlPlaneComponent): boolean {
    return !this.known.has(component) || (this.serving.get(component) ?? 0) > 0;
  }

  /** The API as clients outside the control plane reach it: kube-apiserver serving, over a serving etcd. */
  apiReachable(): boolean {
    return this.isServing("kube-apiserver") && this.isServing("etcd");
  }

  started(component: ControlPlaneComponent): () => void {
    const before = this.isServing(component);
    this.known.add(component);
    this.serving.set(component, (this.serving.get(component) ?? 0) + 1);
    let ended = false;
    if (!before) this.changed();
    return () => {
      if (ended) return;
      ended = true;
      this.serving.set(component, (this.serving.get(component) ?? 1) - 1);
      if (!this.isServing(component)) this.changed();
    };
  }

  failed(component: ControlPlaneComponent): void {
    const before = this.isServing(component);
    this.known.add(component);
    if (before && !this.isServing(component)) this.changed();
  }

  /**
   * The control plane's kubelet has read its manifests: components without a static pod there,
   * or whose restored container is not running, do not serve.
   */
  staticPodsRead(running: ReadonlySet<ControlPlaneComponent>): void {
    for (const component of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const) {
      if (!running.has(component) && !this.known.has(component)) this.failed(component);
    }
  }

  /** Calls `listener` whenever a component starts or stops serving; returns the disposer. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
