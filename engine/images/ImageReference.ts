/**
 * Image references as containerd and the kubelet normalise them (github.com/distribution/reference):
 * `nginx` is `docker.io/library/nginx:latest`, `bitnami/redis:7` is `docker.io/bitnami/redis:7`,
 * `registry.k8s.io/pause:3.10` keeps its registry.
 */
export interface ImageReference {
  /** Registry host: `docker.io`, `registry.k8s.io` … */
  domain: string;
  /** Repository path inside the registry: `library/nginx`. */
  path: string;
  /** `docker.io/library/nginx` */
  repository: string;
  /** The tag, `latest` when neither a tag nor a digest was given. */
  tag?: string;
  digest?: string;
  /** `docker.io/library/nginx:latest` (or `…@sha256:…` for digest references). */
  normalized: string;
}

/** Why a reference does not parse; `message` reads like distribution/reference's errors. */
export class InvalidImageReference extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidImageReference";
  }
}

const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses and normalises `image` as the kubelet does before pulling (`applyDefaultImageTag`). */
export function parseImageReference(image: string): ImageReference {
  if (image === "" || /\s/.test(image)) throw new InvalidImageReference("invalid reference format");
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw new InvalidImageReference("invalid reference format");
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw new InvalidImageReference("invalid reference format");
  }
  let domain = "docker.io";
  let path = rest;
  const firstSlash = rest.indexOf("/");
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(firstSlash + 1);
    }
  }
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  if (path !== path.toLowerCase()) {
    throw new InvalidImageReference(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (path.length === 0 || !path.split("/").every((component) => componentPattern.test(component))) {
    throw new InvalidImageReference("invalid reference format");
  }
  if (!tag && !digest) tag = "latest";
  const repository = `${domain}/${path}`;
  const normalized = digest ? `${repository}@${digest}` : `${repository}:${tag}`;
  return { domain, path, repository, tag, digest, normalized };
}

/**
 * The short name `docker.io/library/nginx` is known by on a node: `nginx`, as `crictl images`
 * and Node.status.images list it alongside the full name.
 */
export function familiarName(repository: string): string {
  if (repository.startsWith("docker.io/library/")) return repository.slice("docker.io/library/".length);
  if (repository.startsWith("docker.io/")) return repository.slice("docker.io/".length);
  return repository;
}
