import { describe, expect, it } from "vitest";
import type { KustomizeFiles } from "./files";
import { encodeHash, goJson, resourceHash } from "./hash";
import { kustomizeBuild } from "./kustomize";
import { splitImage, updateImage } from "./transformers";

/** An in-memory tree: paths to file contents; directories are implied. */
function memoryFiles(tree: Record<string, string>): KustomizeFiles {
  return {
    readFile: async (path) => {
      const text = tree[path];
      if (text === undefined) throw new Error(`ENOENT: '${path}'`);
      return text;
    },
    readDirectory: async (path) => {
      const prefix = `${path.replace(/\/$/, "")}/`;
      const names = Object.keys(tree)
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length).split("/")[0] as string);
      return names.length > 0 ? [...new Set(names)] : undefined;
    },
  };
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: c
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: cfg
`;

describe("hash", () => {
  it.each([
    // kubectl kustomize 1.32 names: the hash ignores the name (kustomize looks it up under "metadata/name")
    { name: "literals", object: { kind: "ConfigMap", data: { A: "1", B: "true" } }, hash: "cgcg2845m8" },
    { name: "no data", object: { kind: "ConfigMap" }, hash: "6ct58987ht" },
    {
      name: "secret with a type",
      object: { kind: "Secret", type: "kubernetes.io/basic-auth", data: { password: "czNjcjN0" } },
      hash: "ggkbtt8fgg",
    },
  ])("$name", ({ object, hash }) => {
    expect(resourceHash(object)).toBe(hash);
  });

  it("encodes as Go's json.Marshal and swaps digits for letters", () => {
    expect(goJson({ b: "<&>", a: [1, true] })).toBe('{"a":[1,true],"b":"\\u003c\\u0026\\u003e"}');
    expect(encodeHash("")).toBe("tkbgc44298");
  });
});

describe("images", () => {
  it.each([
    { name: "tag", image: "nginx:1.25", change: { name: "nginx", newTag: "1.27" }, out: "nginx:1.27" },
    {
      name: "digest drops the tag",
      image: "nginx:1.25",
      change: { name: "nginx", digest: "sha256:ab" },
      out: "nginx@sha256:ab",
    },
    {
      name: "new name keeps the tag",
      image: "busybox:1.36",
      change: { name: "busybox", newName: "alpine" },
      out: "alpine:1.36",
    },
    {
      name: "registry port",
      image: "reg:5000/app",
      change: { name: "reg:5000/app", newTag: "v2" },
      out: "reg:5000/app:v2",
    },
    { name: "other image", image: "redis", change: { name: "nginx", newTag: "1" }, out: undefined },
  ])("$name", ({ image, change, out }) => {
    expect(updateImage(image, change)).toBe(out);
  });

  it("splits name, tag and digest", () => {
    expect(splitImage("r.io/a/b:v1@sha256:x")).toEqual({ name: "r.io/a/b", tag: "v1", digest: "sha256:x" });
  });
});

describe("kustomizeBuild", () => {
  it("generates, transforms, renames references and sorts as kubectl kustomize does", async () => {
    const files = memoryFiles({
      "/k/kustomization.yaml": `resources:\n- deploy.yaml\nnamespace: prod\nnamePrefix: p-\ncommonLabels:\n  team: a\nimages:\n- name: nginx\n  newTag: "1.27"\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - A=1\n  - B=true\n`,
      "/k/deploy.yaml": deployment,
    });
    const result = await kustomizeBuild(files, "/k");
    expect(result.objects.map((object) => (object.metadata as { name: string }).name)).toEqual([
      "p-cfg-cgcg2845m8",
      "p-web",
    ]);
    expect(result.yaml).toContain("---\napiVersion: apps/v1\n");
    expect(result.yaml).toContain("name: p-cfg-cgcg2845m8\n        image: nginx:1.27");
    expect(result.yaml).toContain("matchLabels:\n      app: web\n      team: a\n");
    expect(result.warnings).toEqual([
      "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
    ]);
  });

  it("overlays merge generators and patch their base", async () => {
    const files = memoryFiles({
      "/b/kustomization.yaml": "resources:\n- deploy.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - A=1\n",
      "/b/deploy.yaml": deployment,
      "/o/kustomization.yaml": `resources:\n- ../b\nnameSuffix: -x\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals:\n  - B=2\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\n`,
    });
    const { objects } = await kustomizeBuild(files, "/o");
    const [configMap, deploy] = objects as {
      metadata: { name: string };
      data?: unknown;
      spec: { replicas?: number };
    }[];
    expect(configMap?.data).toEqual({ A: "1", B: "2" });
    expect(configMap?.metadata.name).toMatch(/^cfg-x-[a-z0-9]{10}$/);
    expect(JSON.stringify(deploy?.spec)).toContain(`"name":"${configMap?.metadata.name}"`);
    expect(deploy?.spec.replicas).toBe(2);
  });

  it.each([
    {
      name: "no kustomization file",
      tree: { "/x/a.yaml": "a: 1\n" },
      error: "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '/x'",
    },
    {
      name: "unknown field",
      tree: { "/x/kustomization.yaml": "foo: 1\n" },
      error: 'invalid Kustomization: json: unknown field "foo"',
    },
    {
      name: "mistyped field",
      tree: { "/x/kustomization.yaml": "images:\n- name: a\n  newTag: 1.5\n" },
      error:
        "invalid Kustomization: json: cannot unmarshal number into Go struct field Image.images.newTag of type string",
    },
    {
      name: "missing resource",
      tree: { "/x/kustomization.yaml": "resources:\n- gone.yaml\n" },
      error:
        "accumulating resources: accumulation err='accumulating resources from 'gone.yaml': evalsymlink failure on '/x/gone.yaml' : lstat /x/gone.yaml: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '/x/gone.yaml' : lstat /x/gone.yaml: no such file or directory",
    },
  ] as { name: string; tree: Record<string, string>; error: string }[])("fails: $name", async ({ tree, error }) => {
    await expect(kustomizeBuild(memoryFiles(tree), "/x")).rejects.toThrow(error);
  });
});
