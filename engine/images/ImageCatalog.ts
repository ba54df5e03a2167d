import { baseImages } from "./catalog/baseImages";
import { dataStoreImages } from "./catalog/dataStores";
import { ingressNginxImages } from "./catalog/ingressNginx";
import { systemImages } from "./catalog/systemImages";
import { webServerImages } from "./catalog/webServers";
import { stableHex64 } from "./digest";
import type { ImageDefinition, TagDefinition } from "./ImageDefinition";
import { type ImageReference, parseImageReference } from "./ImageReference";

/** One pullable image: a repository at a tag (or digest) with its size and digest. */
export interface ResolvedImage {
  reference: ImageReference;
  definition: ImageDefinition;
  tag: string;
  tagDefinition: TagDefinition;
  /** `sha256:<64 hex>` manifest digest. */
  digest: string;
  /** `docker.io/library/nginx@sha256:…`, what the kubelet reports as imageID. */
  repoDigest: string;
  /** `sha256:<64 hex>` image (config) ID, as `crictl images` shows it. */
  id: string;
  sizeBytes: number;
  version: string;
}

/** Why a pull fails, with the message containerd 1.7 returns (wrapped by the kubelet). */
export type ResolveFailure =
  | { reason: "RepositoryNotFound"; message: string }
  | { reason: "TagNotFound"; message: string };

/**
 * The registry the simulated nodes pull from: every image the catalog describes, at the tags the
 * real registries have. Unknown repositories fail as Docker Hub answers for them (the registry
 * cannot tell "does not exist" from "private").
 */
export class ImageCatalog {
  private readonly byRepository = new Map<string, ImageDefinition>();
  /**
   * Resolutions by normalized reference: a ResolvedImage is immutable, so every node and container
   * of every cluster using this catalog shares one per image (and its digests are computed once).
   */
  private readonly resolved = new Map<string, ResolvedImage>();

  constructor(definitions: ImageDefinition[] = defaultImages) {
    for (const definition of definitions) this.byRepository.set(definition.repository, definition);
  }

  /** The catalog of {@link defaultImages}, shared by every kubelet that is given none. */
  static get shared(): ImageCatalog {
    sharedCatalog ??= new ImageCatalog();
    return sharedCatalog;
  }

  /** Adds or replaces an image (lessons may bring their own). */
  add(definition: ImageDefinition): void {
    if (this === sharedCatalog)
      throw new Error("the shared image catalog cannot change: give the kubelets a catalog of their own");
    this.byRepository.set(definition.repository, definition);
    this.resolved.clear();
  }

  definition(repository: string): ImageDefinition | undefined {
    return this.byRepository.get(repository);
  }

  /** Resolves a parsed reference as a registry would; throws nothing. */
  resolve(reference: ImageReference): ResolvedImage | ResolveFailure {
    const cached = this.resolved.get(reference.normalized);
    if (cached) return cached;
    const resolved = this.resolveUncached(reference);
    if ("digest" in resolved) {
      // Bounded: references are the catalog's own tags (and digests), besides rare typos that fail.
      if (this.resolved.size >= 1024) this.resolved.clear();
      this.resolved.set(reference.normalized, Object.freeze(resolved));
    }
    return resolved;
  }

  private resolveUncached(reference: ImageReference): ResolvedImage | ResolveFailure {
    const definition = this.byRepository.get(reference.repository);
    const ref = reference.normalized;
    if (!definition) {
      return {
        reason: "RepositoryNotFound",
        message: `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
      };
    }
    let tag = reference.tag;
    if (reference.digest) {
      tag = Object.keys(definition.tags).find((candidate) => digestOf(definition, candidate) === reference.digest);
      if (!tag) {
        return {
          reason: "TagNotFound",
          message: `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
        };
      }
    }
    const tagDefinition = tag ? definition.tags[tag] : undefined;
    if (!tag || !tagDefinition) {
      return {
        reason: "TagNotFound",
        message: `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
      };
    }
    const digest = digestOf(definition, tag);
    return {
      reference,
      definition,
      tag,
      tagDefinition,
      digest,
      repoDigest: `${definition.repository}@${digest}`,
      id: `sha256:${stableHex64(`config:${definition.repository}:${tagDefinition.version ?? tag}:${tagDefinition.sizeBytes}`)}`,
      sizeBytes: tagDefinition.sizeBytes,
      version: tagDefinition.version ?? tag,
    };
  }

  /** Parses and resolves `image` as written in a pod spec. */
  lookup(image: string): ResolvedImage | ResolveFailure {
    return this.resolve(parseImageReference(image));
  }
}

let sharedCatalog: ImageCatalog | undefined;

/** Tags that point at the same content share a digest, as `nginx:1.27` and `nginx:latest` do. */
function digestOf(definition: ImageDefinition, tag: string): string {
  const tagDefinition = definition.tags[tag];
  if (tagDefinition?.digest) return tagDefinition.digest;
  return `sha256:${stableHex64(`manifest:${definition.repository}:${tagDefinition?.version ?? tag}:${tagDefinition?.sizeBytes ?? 0}`)}`;
}

/** Every image the engine knows out of the box. */
export const defaultImages: ImageDefinition[] = [
  ...webServerImages,
  ...baseImages,
  ...dataStoreImages,
  ...systemImages,
  ...ingressNginxImages,
];
