import { parseAllDocuments } from "yaml";
import { KubectlError } from "./errors";
import type { KubectlIO } from "./KubectlIO";

/** An object read from a manifest, with the file it came from (for messages). */
export interface ManifestObject {
  object: Record<string, unknown> & {
    apiVersion?: string;
    kind?: string;
    metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  };
  source: string;
}

/** Parses YAML or JSON text holding one or more documents; `List` kinds are flattened. */
export function parseManifests(text: string, source: string): ManifestObject[] {
  const out: ManifestObject[] = [];
  // kubectl's YAML-to-JSON conversion takes a repeated key's last value rather than refusing it.
  const documents = parseAllDocuments(text, { uniqueKeys: false });
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0) {
      throw new KubectlError(`error: error parsing ${source}: ${document.errors[0]?.message ?? "invalid YAML"}`);
    }
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new KubectlError(
        `error: error parsing ${source}: json: cannot unmarshal into Go value of type map[string]interface {}`,
      );
    }
    const object = value as ManifestObject["object"];
    if (typeof object.kind === "string" && object.kind.endsWith("List") && Array.isArray(object.items)) {
      for (const item of object.items as ManifestObject["object"][]) out.push({ object: item, source });
    } else {
      out.push({ object, source });
    }
  }
  return out;
}

/** Reads `-f` arguments: files, folders (their .yaml/.yml/.json files, -R recursing) and `-`. */
export async function readManifests(io: KubectlIO, filenames: string[], recursive: boolean): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  for (const filename of filenames) {
    if (filename === "-") {
      out.push(...parseManifests(await io.readStdin(), "STDIN"));
      continue;
    }
    if (/^https?:\/\//.test(filename)) {
      throw new KubectlError(
        `error: unable to read URL "${filename}": network access is not available in this terminal`,
      );
    }
    const entries = await io.readDirectory(filename);
    if (entries) {
      for (const entry of entries.sort()) {
        const path = `${filename.replace(/\/$/, "")}/${entry}`;
        const nested = await io.readDirectory(path);
        if (nested) {
          if (recursive) out.push(...(await readManifests(io, [path], true)));
          continue;
        }
        if (/\.(ya?ml|json)$/.test(entry)) out.push(...parseManifests(await io.readFile(path), path));
      }
      continue;
    }
    let text: string;
    try {
      text = await io.readFile(filename);
    } catch {
      throw new KubectlError(`error: the path "${filename}" does not exist`);
    }
    out.push(...parseManifests(text, filename));
  }
  return out;
}
