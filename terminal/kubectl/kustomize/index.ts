/**
 * Kustomize for Kubelab's kubectl (`kubectl kustomize`, `-k` on apply/create/delete/get/diff/
 * replace): kustomize v5.5's build of a kustomization directory, byte for byte. Shared with the
 * grader through terminal/kubectl/index.ts.
 */
import { KubectlError } from "../errors";
import type { Flags } from "../flags";
import type { KubectlIO } from "../KubectlIO";
import type { ManifestObject } from "../manifests";
import { readManifests } from "../manifests";
import { type KustomizeFiles, resolvePath } from "./files";
import { type BuildResult, KustomizeError, kustomizeBuild } from "./kustomize";

export type { KustomizeFiles } from "./files";
export type { BuildResult } from "./kustomize";
export { KustomizeError, kustomizeBuild } from "./kustomize";

/** The IO's working directory (absolute), against which kustomize makes paths absolute. */
function workingDirectory(io: KubectlIO): string {
  return (io as KubectlIO & { cwd?: string }).cwd ?? io.env.PWD ?? "/";
}

/** KubectlIO's files, absolute paths. */
function filesOf(io: KubectlIO): KustomizeFiles {
  return { readFile: (path) => io.readFile(path), readDirectory: (path) => io.readDirectory(path) };
}

/** Builds the kustomization at `dir` (as the user typed it), printing kustomize's warnings to stderr. */
export async function buildKustomization(io: KubectlIO, dir: string): Promise<BuildResult> {
  const absolute = resolvePath(workingDirectory(io), dir);
  try {
    const result = await kustomizeBuild(filesOf(io), absolute, dir);
    for (const warning of result.warnings) io.stderr(`${warning}\n`);
    return result;
  } catch (error) {
    const warnings = (error as { warnings?: string[] }).warnings ?? [];
    for (const warning of warnings) io.stderr(`${warning}\n`);
    throw error;
  }
}

/** The manifests of `-k DIR`; a failure is kubectl's `error: <kustomize's message>`. */
export async function readKustomization(io: KubectlIO, dir: string): Promise<ManifestObject[]> {
  try {
    const { objects } = await buildKustomization(io, dir);
    return objects.map((object) => ({ object: object as ManifestObject["object"], source: dir }));
  } catch (error) {
    if (error instanceof KustomizeError) throw new KubectlError(`error: ${error.message}`);
    throw error;
  }
}

/**
 * `-f`/`-k` as kubectl's FilenameOptions: the two exclude each other, `-k` takes no `-R`, and the
 * result is the files' manifests or the kustomization's.
 */
export async function readFilenameOptions(io: KubectlIO, flags: Flags): Promise<ManifestObject[]> {
  const filenames = flags.list("filename");
  const kustomize = flags.string("kustomize");
  if (filenames.length > 0 && kustomize) throw new KubectlError("error: only one of -f or -k can be specified");
  if (kustomize && flags.bool("recursive")) throw new KubectlError("error: the -k flag can't be used with -f or -R");
  if (kustomize) return readKustomization(io, kustomize);
  return readManifests(io, filenames, flags.bool("recursive"));
}

/** The -f files, or the -k directory: what a command reads its objects from (empty: neither). */
export function filenameArguments(flags: Flags): string[] {
  const kustomize = flags.string("kustomize");
  return kustomize ? [kustomize] : flags.list("filename");
}
