import type { GroupVersionResource } from "../api/types";
import type { ResourceDefinition } from "./ResourceDefinition";

/** A served resource: its definition plus whether it came from a CustomResourceDefinition. */
export interface ServedResource {
  definition: ResourceDefinition;
  /** True for resources added at runtime by a CRD. */
  custom: boolean;
}

/**
 * The set of resources one API server serves, for request routing, discovery and OpenAPI. Built-in
 * definitions are shared module-level objects (never copied per cluster); CRDs add and remove
 * resources at runtime, and listeners hear about every change so discovery and OpenAPI documents
 * can be rebuilt.
 */
export class ResourceRegistry {
  private readonly byGroupResource = new Map<string, ServedResource>();
  private readonly listeners = new Set<() => void>();
  private generationCounter = 0;

  constructor(definitions: readonly ResourceDefinition[] = []) {
    for (const definition of definitions)
      this.byGroupResource.set(groupResourceKey(definition.group, definition.resource), { definition, custom: false });
  }

  /** Bumped on every add or remove; discovery documents can cache on it (ETag). */
  get generation(): number {
    return this.generationCounter;
  }

  /** Adds or replaces a resource (CRDs), then notifies listeners. */
  add(definition: ResourceDefinition, custom = true): void {
    this.byGroupResource.set(groupResourceKey(definition.group, definition.resource), { definition, custom });
    this.changed();
  }

  /** Removes a resource (a deleted CRD), then notifies listeners. */
  remove(group: string, resource: string): void {
    if (this.byGroupResource.delete(groupResourceKey(group, resource))) this.changed();
  }

  /** The definition for a group and resource, whatever the version. */
  lookup(group: string, resource: string): ServedResource | undefined {
    return this.byGroupResource.get(groupResourceKey(group, resource));
  }

  /** The definition serving exactly this group, version and resource. */
  find(gvr: GroupVersionResource): ResourceDefinition | undefined {
    const served = this.byGroupResource.get(groupResourceKey(gvr.group, gvr.resource));
    return served?.definition.versions.includes(gvr.version) ? served.definition : undefined;
  }

  /** The definition for a kind in a group (for `kind`-based lookups such as owner references). */
  findByKind(group: string, kind: string): ResourceDefinition | undefined {
    for (const served of this.byGroupResource.values()) {
      if (served.definition.group === group && served.definition.kind === kind) return served.definition;
    }
    return undefined;
  }

  /** Every served resource, built-in first, in registration order. */
  all(): ServedResource[] {
    return [...this.byGroupResource.values()];
  }

  /** Calls `listener` after every change; returns a disposer. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.generationCounter++;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A broken listener must not break CRD registration.
      }
    }
  }
}

function groupResourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}
