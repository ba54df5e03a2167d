import type { Operation } from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { toGoYaml } from "../printers/goYaml";
import { commonLabelSpecs, type FieldSpec, templateLabelSpecs } from "./fieldSpecs";
import { isWithin, type KustomizeFiles, resolvePath } from "./files";
import { type GeneratorArgs, type GeneratorOptions, generate } from "./generators";
import { resourceHash } from "./hash";
import { fixNameReferences } from "./nameReference";
import {
  applyJsonPatch,
  applyStrategicPatch,
  isJsonPatch,
  type PatchTarget,
  parsePatchDocuments,
  resIdString,
} from "./patches";
import { isMap, type JsonMap, kindOf, metadataOf, nameOf, namespaceOf, type Resource, rename } from "./Resource";
import { strictDecodeError } from "./schema";
import { legacySort } from "./sort";
import {
  addAnnotations,
  addPrefixSuffix,
  addToMaps,
  type ImageChange,
  setImages,
  setNamespace,
  setReplicas,
} from "./transformers";

/** A kustomization file, after strict decoding (types.Kustomization, the parts Kubelab builds). */
interface Kustomization {
  kind?: string;
  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  commonLabels?: Record<string, string>;
  labels?: {
    pairs?: Record<string, string>;
    includeSelectors?: boolean;
    includeTemplates?: boolean;
    fields?: FieldSpec[];
  }[];
  commonAnnotations?: Record<string, string>;
  patchesStrategicMerge?: string[];
  patchesJson6902?: { path?: string; patch?: string; target?: PatchTarget }[];
  patches?: { path?: string; patch?: string; target?: PatchTarget }[];
  images?: ImageChange[];
  replicas?: { name?: string; count?: number }[];
  resources?: string[];
  components?: string[];
  bases?: string[];
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
  generatorOptions?: GeneratorOptions;
}

/** A kustomize failure; the message is kustomize's, without kubectl's `error: `. */
export class KustomizeError extends Error {}

/** What a build gives: the resources in output order, their YAML, and the warnings printed on the way. */
export interface BuildResult {
  objects: JsonMap[];
  yaml: string;
  warnings: string[];
}

const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

const deprecations: [keyof Kustomization, string][] = [
  ["bases", "# Warning: 'bases' is deprecated. Please use 'resources' instead."],
  ["commonLabels", "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead."],
  ["patchesJson6902", "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead."],
  ["patchesStrategicMerge", "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead."],
  ["vars" as keyof Kustomization, "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL]"],
];

const isRemote = (path: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ||
  /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(path) ||
  path.startsWith("git@");

/** One build: the file access, the warnings so far. */
class Build {
  readonly warnings: string[] = [];
  constructor(readonly files: KustomizeFiles) {}

  /** Reads and strictly decodes the kustomization file of `dir`. */
  async load(dir: string): Promise<Kustomization> {
    let text: string | undefined;
    for (const name of kustomizationFileNames) {
      text = await this.files.readFile(`${dir.replace(/\/$/, "")}/${name}`).catch(() => undefined);
      if (text !== undefined) break;
    }
    if (text === undefined) {
      throw new KustomizeError(
        `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`,
      );
    }
    const documents = parseAllDocuments(text);
    const document = Array.isArray(documents) ? documents[0] : documents;
    if (document && document.errors.length > 0) {
      throw new KustomizeError(`invalid Kustomization: ${document.errors[0]?.message ?? "invalid YAML"}`);
    }
    const value = (document?.toJS() as unknown) ?? {};
    const error = strictDecodeError(value);
    if (error) throw new KustomizeError(`invalid Kustomization: ${error}`);
    const kustomization = value as Kustomization & Record<string, unknown>;
    for (const [field, warning] of deprecations) {
      if (kustomization[field] !== undefined && kustomization[field] !== null) {
        this.warnings.push(`${warning} Run 'kustomize edit fix' to update your Kustomization automatically.`);
      }
    }
    return kustomization;
  }

  /** AccumulateTarget: resources, components, generators, then the transformers in kustomize's order. */
  async accumulate(dir: string, kustomization: Kustomization, initial: Resource[] = []): Promise<Resource[]> {
    let resources = [...initial];
    for (const path of [...(kustomization.resources ?? []), ...(kustomization.bases ?? [])]) {
      resources = appendAll(resources, await this.accumulateResource(dir, path), path, resolvePath(dir, path));
    }
    for (const path of kustomization.components ?? []) {
      const componentDir = resolvePath(dir, path);
      const component = await this.load(componentDir);
      resources = await this.accumulate(componentDir, component, resources);
    }
    resources = await this.runGenerators(dir, kustomization, resources);
    return this.runTransformers(dir, kustomization, resources);
  }

  /** One `resources` entry: a file of manifests or a kustomization directory. */
  private async accumulateResource(dir: string, path: string): Promise<Resource[]> {
    if (isRemote(path)) {
      throw new KustomizeError(
        `accumulating resources: accumulation err='accumulating resources from '${path}': remote resources are not available in this terminal (no network)': must build at directory: not a valid directory: remote resources are not available in this terminal (no network)`,
      );
    }
    const full = resolvePath(dir, path);
    const entries = await this.files.readDirectory(full);
    if (entries !== undefined) {
      let nested: Kustomization;
      try {
        nested = await this.load(full);
      } catch (error) {
        throw new KustomizeError(
          `accumulating resources: accumulation err='accumulating resources from '${path}': '${full}' must resolve to a file': couldn't make target for path '${full}': ${messageOf(error)}`,
        );
      }
      try {
        return await this.accumulate(full, nested);
      } catch (error) {
        throw new KustomizeError(
          `accumulating resources: accumulation err='accumulating resources from '${path}': '${full}' must resolve to a file': recursed accumulation of path '${full}': ${messageOf(error)}`,
        );
      }
    }
    const text = await this.files.readFile(full).catch(() => undefined);
    if (text === undefined) {
      const missing = `evalsymlink failure on '${full}' : lstat ${full}: no such file or directory`;
      throw new KustomizeError(
        `accumulating resources: accumulation err='accumulating resources from '${path}': ${missing}': must build at directory: not a valid directory: ${missing}`,
      );
    }
    if (!isWithin(dir, full)) {
      throw new KustomizeError(
        `accumulating resources: accumulation err='accumulating resources from '${path}': security; file '${full}' is not in or below '${dir}'': must build at directory: '${full}': file is not directory`,
      );
    }
    try {
      return parseResources(text, path);
    } catch (error) {
      if (error instanceof MalformedYaml) {
        throw new KustomizeError(`accumulating resources: accumulating resources from '${path}': ${error.message}`);
      }
      throw new KustomizeError(
        `accumulating resources: accumulation err='accumulating resources from '${path}': ${messageOf(error)}': must build at directory: '${full}': file is not directory`,
      );
    }
  }

  /** configMapGenerator then secretGenerator, each meeting earlier resources by its behavior. */
  private async runGenerators(dir: string, kustomization: Kustomization, resources: Resource[]): Promise<Resource[]> {
    const loader = {
      files: this.files,
      resolve: (path: string) => {
        const full = resolvePath(dir, path);
        if (!isWithin(dir, full)) throw new KustomizeError(`security; file '${full}' is not in or below '${dir}'`);
        return full;
      },
    };
    let out = resources;
    const generators: ["ConfigMap" | "Secret", GeneratorArgs[]][] = [
      ["ConfigMap", kustomization.configMapGenerator ?? []],
      ["Secret", kustomization.secretGenerator ?? []],
    ];
    for (const [kind, list] of generators) {
      for (const args of list) {
        let generated: Resource;
        try {
          generated = await generate(kind, args, kustomization.generatorOptions, loader);
        } catch (error) {
          if (error instanceof KustomizeError) throw error;
          const message = messageOf(error);
          throw new KustomizeError(message.startsWith("ENOENT") ? fileMissing(error, dir) : message);
        }
        out = mergeGenerated(out, generated);
      }
    }
    return out;
  }

  private async runTransformers(dir: string, k: Kustomization, resources: Resource[]): Promise<Resource[]> {
    let out = resources;
    for (const entry of k.patchesStrategicMerge ?? []) {
      for (const patch of await this.patchDocuments(dir, entry)) {
        if (isMap(patch)) out = applyStrategicPatch(out, patch);
      }
    }
    for (const entry of k.patches ?? []) {
      const text = entry.path !== undefined ? await this.readRelative(dir, entry.path) : (entry.patch ?? "");
      const documents = parsePatchDocuments(text);
      if (isJsonPatch(documents)) {
        if (!entry.target)
          throw new KustomizeError("unable to apply patch with no target: must specify a target for patch");
        applyJsonPatch(out, documents[0], entry.target);
      } else {
        for (const patch of documents) if (isMap(patch)) out = applyStrategicPatch(out, patch, entry.target);
      }
    }
    setNamespace(out, k.namespace ?? "");
    addPrefixSuffix(out, k.namePrefix ?? "", k.nameSuffix ?? "");
    for (const label of k.labels ?? []) {
      const specs: FieldSpec[] = [...(label.fields ?? [])];
      if (label.includeSelectors) specs.push(...commonLabelSpecs);
      else {
        specs.push({ path: "metadata/labels", create: true });
        if (label.includeTemplates) specs.push(...templateLabelSpecs);
      }
      addToMaps(out, label.pairs ?? {}, specs);
    }
    addToMaps(out, k.commonLabels ?? {}, commonLabelSpecs);
    addAnnotations(out, k.commonAnnotations ?? {});
    for (const entry of k.patchesJson6902 ?? []) {
      const text = entry.path !== undefined ? await this.readRelative(dir, entry.path) : (entry.patch ?? "");
      const documents = parsePatchDocuments(text);
      if (!isJsonPatch(documents)) throw new KustomizeError("json6902 patch must be a list of operations");
      applyJsonPatch(out, documents[0] as Operation[], entry.target ?? {});
    }
    setReplicas(out, k.replicas ?? []);
    setImages(out, k.images ?? []);
    return out;
  }

  /** A patchesStrategicMerge entry: a file, or the patch itself written inline. */
  private async patchDocuments(dir: string, entry: string): Promise<unknown[]> {
    const inline = parsePatchDocumentsOrUndefined(entry);
    if (inline && inline.length > 0 && inline.every(isMap)) return inline;
    return parsePatchDocuments(await this.readRelative(dir, entry));
  }

  private async readRelative(dir: string, path: string): Promise<string> {
    const full = resolvePath(dir, path);
    const text = await this.files.readFile(full).catch(() => undefined);
    if (text === undefined) {
      throw new KustomizeError(`evalsymlink failure on '${full}' : lstat ${full}: no such file or directory`);
    }
    if (!isWithin(dir, full)) throw new KustomizeError(`security; file '${full}' is not in or below '${dir}'`);
    return text;
  }
}

function parsePatchDocumentsOrUndefined(text: string): unknown[] | undefined {
  if (!text.includes("\n") && !text.includes(":")) return undefined;
  try {
    return parsePatchDocuments(text);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fileMissing(error: unknown, dir: string): string {
  const path = /'([^']+)'/.exec(messageOf(error))?.[1] ?? dir;
  return `evalsymlink failure on '${path}' : lstat ${path}: no such file or directory`;
}

class MalformedYaml extends Error {}

/** The manifests of a resource file; `List` kinds are flattened, empty documents skipped. */
function parseResources(text: string, path: string): Resource[] {
  const out: Resource[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      const error = document.errors[0];
      const line = error?.linePos?.[0]?.line;
      throw new MalformedYaml(
        `MalformedYAMLError: yaml: ${line ? `line ${line}: ` : ""}${error?.message.split("\n")[0] ?? "invalid YAML"} in File: ${path}`,
      );
    }
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (!isMap(value)) throw new Error(`missing Resource metadata`);
    const items =
      typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(value.items)
        ? value.items
        : [value];
    for (const item of items) {
      if (!isMap(item)) continue;
      if (!nameOf(item) && !(isMap(item.metadata) && item.metadata.generateName)) {
        throw new Error(`missing metadata.name in object ${goObjectSummary(item)}`);
      }
      out.push({ object: item, previous: [], prefixes: [], suffixes: [] });
    }
  }
  return out;
}

/** How kustomize prints a nameless object in its error: `{{v1 ConfigMap} {{ } map[] map[]}}`. */
function goObjectSummary(object: JsonMap): string {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const goMap = (value: unknown) =>
    `map[${
      isMap(value)
        ? Object.keys(value)
            .sort()
            .map((key) => `${key}:${String(value[key])}`)
            .join(" ")
        : ""
    }]`;
  const metadata = isMap(object.metadata) ? object.metadata : {};
  return `{{${apiVersion} ${kindOf(object)}} {{ ${namespaceOf(object)}} ${goMap(metadata.labels)} ${goMap(metadata.annotations)}}}`;
}

const sameNamespace = (a: string, b: string) => (a || "default") === (b || "default");

/** True when the two resources share an id (kind, apiVersion, name, namespace), any earlier one included. */
function sameId(existing: Resource, added: Resource): boolean {
  if (existing.object.apiVersion !== added.object.apiVersion || kindOf(existing.object) !== kindOf(added.object))
    return false;
  const ids = [...existing.previous, { name: nameOf(existing.object), namespace: namespaceOf(existing.object) }];
  return ids.some((id) => id.name === nameOf(added.object) && sameNamespace(id.namespace, namespaceOf(added.object)));
}

/** Adds resources, refusing one whose id is already there. */
function appendAll(resources: Resource[], added: Resource[], path: string, full: string): Resource[] {
  const out = [...resources];
  for (const resource of added) {
    const clash = out.find(
      (existing) =>
        existing.object.apiVersion === resource.object.apiVersion &&
        kindOf(existing.object) === kindOf(resource.object) &&
        nameOf(existing.object) === nameOf(resource.object) &&
        sameNamespace(namespaceOf(existing.object), namespaceOf(resource.object)),
    );
    if (clash) {
      throw new KustomizeError(
        `accumulating resources: accumulation err='merging resources from '${path}': may not add resource with an already registered id: ${resIdString(resource.object)}': must build at directory: '${full}': file is not directory`,
      );
    }
    out.push(resource);
  }
  return out;
}

/** appendReplaceOrMerge: a generated resource is added, or merged into / replaces the one it names. */
function mergeGenerated(resources: Resource[], generated: Resource): Resource[] {
  const matches = resources.filter((resource) => sameId(resource, generated));
  const id = resIdString(generated.object);
  const behavior = generated.behavior ?? "create";
  if (matches.length > 1) throw new KustomizeError(`found multiple objects ${id} that could accept merge of ${id}`);
  const old = matches[0];
  if (!old) {
    if (behavior === "create") return [...resources, generated];
    throw new KustomizeError(`id ${JSON.stringify(id)} does not exist; cannot merge or replace`);
  }
  if (behavior === "create") {
    throw new KustomizeError(`cannot add ${id}; an object with that id already exists, use behavior merge or replace`);
  }
  const merged = structuredClone(generated.object);
  const mergedMeta = metadataOf(merged);
  const oldMeta = metadataOf(old.object);
  mergedMeta.labels = {
    ...(isMap(oldMeta.labels) ? oldMeta.labels : {}),
    ...(isMap(mergedMeta.labels) ? mergedMeta.labels : {}),
  };
  mergedMeta.annotations = {
    ...(isMap(oldMeta.annotations) ? oldMeta.annotations : {}),
    ...(isMap(mergedMeta.annotations) ? mergedMeta.annotations : {}),
  };
  for (const field of ["labels", "annotations"]) {
    if (Object.keys(mergedMeta[field] as JsonMap).length === 0) delete mergedMeta[field];
  }
  mergedMeta.name = nameOf(old.object);
  if (namespaceOf(old.object)) mergedMeta.namespace = namespaceOf(old.object);
  if (behavior === "merge") {
    for (const field of ["data", "binaryData"]) {
      const data = {
        ...(isMap(old.object[field]) ? old.object[field] : {}),
        ...(isMap(merged[field]) ? merged[field] : {}),
      };
      if (Object.keys(data).length > 0) merged[field] = data;
    }
  }
  old.object = merged;
  return resources;
}

/** Adds the content hash to generated names (addHashesToNames), kept in the resource's history. */
function addHashes(resources: Resource[]): void {
  for (const resource of resources) {
    if (!resource.hashName) continue;
    rename(resource, `${nameOf(resource.object)}-${resourceHash(resource.object)}`);
  }
}

/**
 * `kustomize build DIR` (krusty.MakeKustomizer().Run with kubectl's defaults): the resources of
 * the kustomization at the absolute path `dir`, in kustomize's legacy order, as YAML documents
 * with keys sorted (each resource goes through JSON and sigs.k8s.io/yaml).
 */
export async function kustomizeBuild(files: KustomizeFiles, dir: string, displayDir = dir): Promise<BuildResult> {
  const build = new Build(files);
  const entries = await files.readDirectory(dir);
  if (entries === undefined) {
    const exists = (await files.readFile(dir).catch(() => undefined)) !== undefined;
    throw new KustomizeError(
      exists
        ? `must build at directory: '${displayDir}': file is not directory`
        : `must build at directory: not a valid directory: evalsymlink failure on '${displayDir}' : lstat ${dir}: no such file or directory`,
    );
  }
  const kustomization = await build.load(dir);
  let resources: Resource[];
  try {
    resources = await build.accumulate(dir, kustomization);
  } catch (error) {
    if (error instanceof KustomizeError) throw Object.assign(error, { warnings: build.warnings });
    throw Object.assign(new KustomizeError(messageOf(error)), { warnings: build.warnings });
  }
  addHashes(resources);
  fixNameReferences(resources);
  const objects = legacySort(resources).map((resource) => resource.object);
  const yaml = objects.map((object) => toGoYaml(JSON.parse(JSON.stringify(object)))).join("---\n");
  return { objects, yaml, warnings: build.warnings };
}
