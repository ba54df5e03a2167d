import type { ImageDefinition } from "../ImageDefinition";
import { osImage, releases, standardPath } from "../tags";

/** Operating-system images and small tool images: busybox, alpine, ubuntu, debian, curl, stress. */
export const baseImages: ImageDefinition[] = [
  osImage(
    "docker.io/library/busybox",
    "busybox",
    "busybox",
    "sh",
    releases(
      ["1.37.0", 2167089, "latest 1.37 1.37.0 glibc"],
      ["1.36.1", 2160406, "stable 1.36 1.36.1"],
      ["1.35.0", 2155584, "1.35"],
      ["1.34.1", 1939024, "1.34"],
      ["1.31.1", 1373316, "1.31"],
      ["1.28.4", 727869, "1.28"],
      ["1.27.2", 755208, "1.27.2"],
      ["1.37.0", 861514, "musl"],
      ["1.37.0", 1040510, "uclibc"],
    ),
  ),
  osImage("registry.k8s.io/busybox", "busybox", "busybox", "sh", releases(["1.24.0", 1144547, "latest 1.24"])),
  osImage(
    "docker.io/library/alpine",
    "busybox",
    "alpine",
    "/bin/sh",
    releases(
      ["3.21.0", 3644314, "latest 3 3.21 3.21.0"],
      ["3.20.3", 3626030, "3.20 3.20.3"],
      ["3.19.4", 3418364, "3.19"],
      ["3.18.9", 3415672, "3.18"],
      ["3.17.10", 3381198, "3.17"],
      ["3.22.0_alpha20241115", 3650312, "edge"],
    ),
  ),
  osImage(
    "docker.io/library/ubuntu",
    "gnu",
    "ubuntu",
    "/bin/bash",
    releases(
      ["24.04", 29754422, "latest 24.04 noble"],
      ["22.04", 29534055, "22.04 jammy"],
      ["20.04", 27514505, "20.04 focal"],
    ),
  ),
  osImage(
    "docker.io/library/debian",
    "gnu",
    "debian",
    "bash",
    releases(
      ["12", 48494272, "latest 12 bookworm stable"],
      ["12", 28231418, "bookworm-slim stable-slim"],
      ["11", 53739237, "11 bullseye"],
      ["11", 31427524, "bullseye-slim"],
    ),
  ),
  {
    repository: "docker.io/curlimages/curl",
    tags: releases(["8.11.1", 11102476, "latest 8.11.1"], ["8.10.1", 10931702, "8.10.1"], ["8.5.0", 7617408, "8.5.0"]),
    userland: "busybox",
    tools: ["curl"],
    os: "alpine",
    config: {
      entrypoint: ["/entrypoint.sh"],
      cmd: ["curl"],
      env: [standardPath, "CURL_CA_BUNDLE=/cacert.pem"],
      user: "curl_user",
    },
    programs: { "/entrypoint.sh": { kind: "entrypoint", log: [] } },
  },
  {
    repository: "docker.io/polinux/stress",
    tags: releases(["1.0.4", 4041495, "latest 1.0.4"]),
    userland: "busybox",
    os: "alpine",
    config: { cmd: ["stress", "--help"], env: [standardPath] },
    programs: { "/usr/local/bin/stress": { kind: "stress" } },
  },
];
