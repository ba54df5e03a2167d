import { describe, expect, it } from "vitest";
import { ImageCatalog } from "./ImageCatalog";
import { parseImageReference } from "./ImageReference";

describe("parseImageReference", () => {
  it.each([
    { name: "bare name", image: "nginx", normalized: "docker.io/library/nginx:latest" },
    { name: "tag", image: "nginx:1.27", normalized: "docker.io/library/nginx:1.27" },
    { name: "user repository", image: "traefik/whoami", normalized: "docker.io/traefik/whoami:latest" },
    { name: "registry", image: "registry.k8s.io/pause:3.10", normalized: "registry.k8s.io/pause:3.10" },
    { name: "registry with port", image: "localhost:5000/app:v1", normalized: "localhost:5000/app:v1" },
    {
      name: "nested path",
      image: "registry.k8s.io/coredns/coredns:v1.11.3",
      normalized: "registry.k8s.io/coredns/coredns:v1.11.3",
    },
  ])("$name", ({ image, normalized }) => {
    expect(parseImageReference(image).normalized).toBe(normalized);
  });

  it.each(["NGINX", "nginx:", "nginx::1", "ng inx", ""])("rejects %j", (image) => {
    expect(() => parseImageReference(image)).toThrow(/invalid reference format/);
  });

  it("says why an uppercase repository is invalid", () => {
    expect(() => parseImageReference("Nginx")).toThrow("repository name (library/Nginx) must be lowercase");
  });
});

describe("ImageCatalog", () => {
  const catalog = new ImageCatalog();
  it("resolves known tags with a stable digest shared by aliases", () => {
    const latest = catalog.lookup("nginx");
    const pinned = catalog.lookup("nginx:1.27.3");
    if (!("digest" in latest) || !("digest" in pinned)) throw new Error("expected images");
    expect(latest.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(latest.digest).toBe(pinned.digest);
    expect(latest.repoDigest).toBe(`docker.io/library/nginx@${latest.digest}`);
    expect(latest.sizeBytes).toBe(72099410);
  });
  it("fails unknown repositories like Docker Hub", () => {
    expect(catalog.lookup("ngnix")).toMatchObject({
      reason: "RepositoryNotFound",
      message: expect.stringContaining("pull access denied, repository does not exist or may require authorization"),
    });
  });
  it("fails unknown tags with not found", () => {
    expect(catalog.lookup("nginx:9.9")).toMatchObject({
      reason: "TagNotFound",
      message: expect.stringContaining('"docker.io/library/nginx:9.9": docker.io/library/nginx:9.9: not found'),
    });
  });
});
