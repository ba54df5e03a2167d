import type { ConfigMap, Secret, Service } from "../api/core";
import { ConfigMaps, Secrets, Services } from "../api/resources";
import type { ComponentContext } from "../cluster/Component";

/** A ConfigMap or Secret changed (or was created after the watch began): its kind, namespace and name. */
export type ObjectChange = (kind: "configMap" | "secret", namespace: string, name: string) => void;

/**
 * The ConfigMaps, Secrets and Services the kubelets read for volumes, environment variables and
 * service links, as watches deliver them (the API server's shared, frozen objects), as upstream's
 * watch-based configMap and secret managers and the kubelet's service lister keep them. One per
 * cluster serves every kubelet (startKubelets shares it), so a cluster holds three such watches,
 * not three per node. The watches run while at least one kubelet subscribes.
 */
export class WatchedObjects {
  private readonly objects = new Map<string, ConfigMap | Secret>();
  private readonly services = new Map<string, Map<string, Service>>();
  private readonly subscribers = new Set<ObjectChange>();
  private stops: Array<() => void> = [];
  private running = false;

  constructor(private readonly context: ComponentContext) {}

  /** Subscribes to ConfigMap and Secret changes (starting the watches on the first); returns the disposer. */
  subscribe(onChange: ObjectChange): () => void {
    this.subscribers.add(onChange);
    if (!this.running) this.start();
    return () => {
      this.subscribers.delete(onChange);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  /** The watched ConfigMap, or undefined when it is not (yet) known here: then ask the API server. */
  configMap(namespace: string | undefined, name: string): ConfigMap | undefined {
    return this.objects.get(`configMap/${namespace}/${name}`) as ConfigMap | undefined;
  }

  secret(namespace: string | undefined, name: string): Secret | undefined {
    return this.objects.get(`secret/${namespace}/${name}`) as Secret | undefined;
  }

  servicesIn(namespace: string): Service[] {
    return [...(this.services.get(namespace)?.values() ?? [])];
  }

  private start(): void {
    this.running = true;
    this.watchServices();
    this.watchKind("configMap");
    this.watchKind("secret");
  }

  private stop(): void {
    this.running = false;
    for (const stop of this.stops.splice(0)) stop();
    this.objects.clear();
    this.services.clear();
  }

  private watchKind(kind: "configMap" | "secret"): void {
    if (!this.running) return;
    let initial = true;
    const stop = this.context.client.watch<ConfigMap | Secret>(
      kind === "configMap" ? ConfigMaps : Secrets,
      undefined,
      {},
      (event) => {
        const namespace = event.object.metadata.namespace ?? "";
        const name = event.object.metadata.name ?? "";
        const key = `${kind}/${namespace}/${name}`;
        if (event.type === "DELETED") this.objects.delete(key);
        else if (event.type === "ADDED" || event.type === "MODIFIED") this.objects.set(key, event.object);
        if (event.type !== "MODIFIED" && !(event.type === "ADDED" && !initial)) return;
        for (const subscriber of this.subscribers) subscriber(kind, namespace, name);
      },
      () => {
        // The watch expired (410) or the server closed it: watch again shortly, as a reflector does.
        for (const key of [...this.objects.keys()]) if (key.startsWith(`${kind}/`)) this.objects.delete(key);
        if (this.running) this.stops.push(this.context.clock.setTimer(1_000, () => this.watchKind(kind)));
      },
    );
    // Synthetic ADDED events for existing objects arrive synchronously; later ADDs are real creations.
    initial = false;
    this.stops.push(stop);
  }

  private watchServices(): void {
    if (!this.running) return;
    const stop = this.context.client.watch<Service>(
      Services,
      undefined,
      {},
      (event) => {
        const namespace = event.object.metadata.namespace ?? "";
        const name = event.object.metadata.name ?? "";
        let byName = this.services.get(namespace);
        if (!byName) {
          byName = new Map();
          this.services.set(namespace, byName);
        }
        if (event.type === "DELETED") byName.delete(name);
        else if (event.type === "ADDED" || event.type === "MODIFIED") byName.set(name, event.object);
      },
      () => {
        if (this.running) this.stops.push(this.context.clock.setTimer(1_000, () => this.watchServices()));
      },
    );
    this.stops.push(stop);
  }
}
