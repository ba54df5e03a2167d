import type { ImageDefinition, TagDefinition } from "./ImageDefinition";

/**
 * A registry's tag table from its releases: each release is `[version, compressed size, tags]`
 * with the tags as one space-separated string, since many tags (`latest`, `1`, `1.27`, `1.27.3`)
 * point at the same image.
 */
export function releases(
  ...entries: Array<[version: string, sizeBytes: number, tags: string]>
): Record<string, TagDefinition> {
  const out: Record<string, TagDefinition> = {};
  for (const [version, sizeBytes, tags] of entries) {
    for (const tag of tags.split(" ")) out[tag] = { version, sizeBytes };
  }
  return out;
}

/** The PATH most images' configs set. */
export const standardPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** An operating-system image whose only program is its shell (busybox, alpine, ubuntu, debian). */
export function osImage(
  repository: string,
  userland: "busybox" | "gnu",
  os: NonNullable<ImageDefinition["os"]>,
  shell: string,
  tags: Record<string, TagDefinition>,
): ImageDefinition {
  return { repository, tags, userland, os, config: { cmd: [shell], env: [standardPath] } };
}
