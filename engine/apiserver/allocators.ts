import type { KubeObject } from "../api/types";
import { ApiError } from "./ApiError";

/**
 * The service ClusterIP (10.96.0.0/12) and NodePort (30000–32767) allocators. Allocations are
 * derived from the stored Services (so a restored snapshot needs no separate allocator state) plus
 * what was handed out since and not yet stored.
 */
export class ServiceAllocators {
  private readonly pendingIps = new Set<string>();
  private readonly pendingPorts = new Set<number>();

  constructor(
    private readonly services: () => KubeObject[],
    private readonly random: () => number,
  ) {}

  allocateClusterIP(requested?: string): string {
    const used = this.usedIps();
    if (requested) {
      const offset = ipOffset(requested);
      if (offset === undefined || offset <= 0 || offset >= 1 << 20) {
        throw ApiError.invalid("", "Service", "", [
          {
            type: "FieldValueInvalid",
            field: "spec.clusterIPs",
            badValue: [requested],
            detail:
              "failed to allocate IP " +
              requested +
              ": the provided IP (" +
              requested +
              ") is not in the valid range. The range of valid IPs is 10.96.0.0/12",
          },
        ]);
      }
      if (used.has(requested)) {
        throw ApiError.invalid("", "Service", "", [
          {
            type: "FieldValueInvalid",
            field: "spec.clusterIPs",
            badValue: [requested],
            detail: `failed to allocate IP ${requested}: provided IP is already allocated`,
          },
        ]);
      }
      this.pendingIps.add(requested);
      return requested;
    }
    // Upstream allocates randomly, preferring the upper part of the range for dynamic IPs.
    const size = (1 << 20) - 2;
    for (let attempt = 0; attempt < 64; attempt++) {
      const candidate = ipFromOffset(1 + Math.floor(this.random() * size));
      if (!used.has(candidate) && candidate !== "10.96.0.1" && candidate !== "10.96.0.10") {
        this.pendingIps.add(candidate);
        return candidate;
      }
    }
    for (let offset = 2; offset < size; offset++) {
      const candidate = ipFromOffset(offset);
      if (!used.has(candidate)) {
        this.pendingIps.add(candidate);
        return candidate;
      }
    }
    throw ApiError.internal("failed to allocate a serviceIP: range is full");
  }

  releaseClusterIP(ip: string): void {
    this.pendingIps.delete(ip);
  }

  allocateNodePort(requested?: number, field = "spec.ports[0].nodePort"): number {
    const used = this.usedPorts();
    if (requested !== undefined) {
      if (requested < 30000 || requested > 32767) {
        throw ApiError.invalid("", "Service", "", [
          {
            type: "FieldValueInvalid",
            field,
            badValue: requested,
            detail: "provided port is not in the valid range. The range of valid ports is 30000-32767",
          },
        ]);
      }
      if (used.has(requested)) {
        throw ApiError.invalid("", "Service", "", [
          {
            type: "FieldValueInvalid",
            field,
            badValue: requested,
            detail: "provided port is already allocated",
          },
        ]);
      }
      this.pendingPorts.add(requested);
      return requested;
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      const candidate = 30000 + Math.floor(this.random() * 2768);
      if (!used.has(candidate)) {
        this.pendingPorts.add(candidate);
        return candidate;
      }
    }
    for (let port = 30000; port <= 32767; port++) {
      if (!used.has(port)) {
        this.pendingPorts.add(port);
        return port;
      }
    }
    throw ApiError.internal("failed to allocate a nodePort: range is full");
  }

  releaseNodePort(port: number): void {
    this.pendingPorts.delete(port);
  }

  /** Forgets pending reservations once the write that used them is stored (or abandoned). */
  settle(): void {
    this.pendingIps.clear();
    this.pendingPorts.clear();
  }

  private usedIps(): Set<string> {
    const used = new Set(this.pendingIps);
    for (const service of this.services()) {
      for (const ip of service.spec?.clusterIPs ?? [service.spec?.clusterIP]) if (ip && ip !== "None") used.add(ip);
    }
    return used;
  }

  private usedPorts(): Set<number> {
    const used = new Set(this.pendingPorts);
    for (const service of this.services())
      for (const port of service.spec?.ports ?? []) if (port.nodePort) used.add(port.nodePort);
    return used;
  }
}

const BASE = (10 << 24) + (96 << 16);

function ipOffset(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
  const value = parts[0] * 2 ** 24 + parts[1] * 2 ** 16 + parts[2] * 2 ** 8 + parts[3];
  return value - BASE;
}

function ipFromOffset(offset: number): string {
  const value = BASE + offset;
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}
