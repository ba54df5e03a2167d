import type { Service } from "../../api/core";
import { Services } from "../../api/resources";
import type { ControllerContext, Recorder, WorkQueue } from "../runtime/types";
import { isNotFound } from "../shared/claim";
import { keyOf, splitKey } from "../shared/pods";

/** The simulated cloud's address pool, as MetalLB is often set up on kind: 172.18.255.200–250. */
export const LOAD_BALANCER_POOL = { prefix: "172.18.255.", first: 200, last: 250 };

/**
 * cloud-controller-manager's service controller against a simulated cloud: every Service of type
 * LoadBalancer (without a loadBalancerClass naming another implementation) gets an external IP from
 * {@link LOAD_BALANCER_POOL} in `status.loadBalancer.ingress`; the address is released when the
 * service goes or changes type. A requested `spec.loadBalancerIP` inside the pool is honoured.
 */
export class ServiceLoadBalancerController {
  private readonly queue: WorkQueue;
  private readonly recorder: Recorder;
  private readonly services;
  /** IP → service key. */
  private readonly allocated = new Map<string, string>();

  constructor(private readonly context: ControllerContext) {
    this.recorder = context.recorder("service-controller");
    this.services = context.informer<Service>(Services);
    this.queue = context.loop("service-lb", (key) => this.sync(key));
    this.services.addHandlers({
      add: (svc) => {
        // Addresses already handed out (a restart) stay taken.
        for (const ingress of svc.status?.loadBalancer?.ingress ?? [])
          if (ingress.ip && inPool(ingress.ip)) this.allocated.set(ingress.ip, keyOf(svc));
        this.queue.add(keyOf(svc));
      },
      update: (_old, svc) => this.queue.add(keyOf(svc)),
      delete: (svc) => this.queue.add(keyOf(svc)),
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.services.get(namespace, name);
    const wants =
      !!service &&
      !service.metadata.deletionTimestamp &&
      service.spec?.type === "LoadBalancer" &&
      !service.spec.loadBalancerClass;
    const held = [...this.allocated].filter(([, owner]) => owner === key).map(([ip]) => ip);
    if (!wants) {
      for (const ip of held) this.allocated.delete(ip);
      if (service && held.length > 0 && service.status?.loadBalancer?.ingress?.length) {
        this.recorder.event(service, "Normal", "DeletingLoadBalancer", "Deleting load balancer");
        const copy = structuredClone(service);
        copy.status = { ...(copy.status ?? {}), loadBalancer: {} };
        await this.writeStatus(copy);
        this.recorder.event(service, "Normal", "DeletedLoadBalancer", "Deleted load balancer");
      }
      return;
    }
    const current =
      service.status?.loadBalancer?.ingress?.map((ingress) => ingress.ip).filter((ip): ip is string => !!ip) ?? [];
    if (
      current.length === 1 &&
      held.includes(current[0]) &&
      (!service.spec?.loadBalancerIP || service.spec.loadBalancerIP === current[0])
    )
      return;
    this.recorder.event(service, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer");
    const ip = this.allocate(key, service.spec?.loadBalancerIP, held);
    if (!ip) {
      this.recorder.event(
        service,
        "Warning",
        "SyncLoadBalancerFailed",
        `Error syncing load balancer: failed to ensure load balancer: no available IPs in pool ${LOAD_BALANCER_POOL.prefix}${LOAD_BALANCER_POOL.first}-${LOAD_BALANCER_POOL.prefix}${LOAD_BALANCER_POOL.last}`,
      );
      throw new Error("no available load balancer IPs");
    }
    const copy = structuredClone(service);
    copy.status = { ...(copy.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } };
    await this.writeStatus(copy);
    this.recorder.event(service, "Normal", "EnsuredLoadBalancer", "Ensured load balancer");
  }

  private allocate(key: string, requested: string | undefined, held: string[]): string | undefined {
    if (requested) {
      for (const ip of held) if (ip !== requested) this.allocated.delete(ip);
      const owner = this.allocated.get(requested);
      if (!inPool(requested) || (owner && owner !== key)) return undefined;
      this.allocated.set(requested, key);
      return requested;
    }
    if (held.length > 0) return held[0];
    for (let last = LOAD_BALANCER_POOL.first; last <= LOAD_BALANCER_POOL.last; last++) {
      const ip = `${LOAD_BALANCER_POOL.prefix}${last}`;
      if (this.allocated.has(ip)) continue;
      this.allocated.set(ip, key);
      return ip;
    }
    return undefined;
  }

  private async writeStatus(service: Service): Promise<void> {
    try {
      await this.context.client.update(Services, service, { subresource: "status" });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function inPool(ip: string): boolean {
  if (!ip.startsWith(LOAD_BALANCER_POOL.prefix)) return false;
  const last = Number(ip.slice(LOAD_BALANCER_POOL.prefix.length));
  return Number.isInteger(last) && last >= LOAD_BALANCER_POOL.first && last <= LOAD_BALANCER_POOL.last;
}
