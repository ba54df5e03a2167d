import type { ImageDefinition } from "../ImageDefinition";

/**
 * The version of nginx (OpenResty's build) inside the ingress-nginx v1.12 controller image, as
 * its startup banner and `nginx -v` report it.
 */
export const ingressNginxNginxVersion = "1.25.5";

/**
 * registry.k8s.io/ingress-nginx/controller: the controller the CKA's clusters and most courses
 * install. v1.12.1 carries the digest its deploy.yaml pins (`…:v1.12.1@sha256:d2fbc4…`), so the
 * upstream manifest pulls as written. The image is Alpine-based (busybox userland); dumb-init is
 * PID 1 and runs `/nginx-ingress-controller` with the Deployment's args.
 */
export const ingressNginxImages: ImageDefinition[] = [
  {
    repository: "registry.k8s.io/ingress-nginx/controller",
    tags: {
      "v1.12.1": {
        version: "v1.12.1",
        sizeBytes: 104_632_841,
        digest: "sha256:d2fbc4ec70d8aa2050dd91a91506e998765e86c96f32cffb56c503c9c34eed5b",
      },
      "v1.12.0": { version: "v1.12.0", sizeBytes: 104_511_206 },
      "v1.11.5": { version: "v1.11.5", sizeBytes: 106_108_377 },
    },
    userland: "busybox",
    os: "alpine",
    config: {
      entrypoint: ["/usr/bin/dumb-init", "--"],
      cmd: ["/nginx-ingress-controller"],
      env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/luajit/bin:/usr/local/nginx/sbin:/usr/local/nginx/bin",
      ],
      workingDir: "/etc/nginx",
      user: "www-data",
      exposedPorts: ["80/tcp", "443/tcp"],
    },
    programs: {
      "/usr/bin/dumb-init": { kind: "entrypoint", log: [], skipsDoubleDash: true },
      "/nginx-ingress-controller": { kind: "ingress-nginx" },
      // The preStop hook's helper: it asks nginx to finish its requests and waits; with nothing in
      // flight it returns at once.
      "/wait-shutdown": { kind: "entrypoint", log: [] },
      "/usr/local/nginx/sbin/nginx": {
        kind: "server",
        startupLog: [],
        listen: [],
        memoryBytes: 0,
        cpuMillicores: 0,
        infoFlags: { "-v": { stderr: [`nginx version: nginx/${ingressNginxNginxVersion}`] } },
      },
    },
  },
];
