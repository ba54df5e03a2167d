import type { ImageDefinition } from "./ImageDefinition";

const osRelease: Record<string, string> = {
  debian: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
  ubuntu: `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
`,
  alpine: `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.21.0
PRETTY_NAME="Alpine Linux v3.21"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`,
};

const passwd: Record<string, string> = {
  gnu: "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
  busybox:
    "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
};

/** The `/etc/os-release` of an operating system this catalog knows (`debian`, `ubuntu`, `alpine`). */
export function operatingSystemRelease(os: string): string | undefined {
  return osRelease[os];
}

/** The base files of an image's root file system that come from its operating system. */
export function operatingSystemFiles(image: ImageDefinition): Record<string, string> {
  const files: Record<string, string> = {};
  const release = image.os ? osRelease[image.os] : undefined;
  if (release) {
    files["/etc/os-release"] = release;
    files["/usr/lib/os-release"] = release;
  }
  if (image.os === "debian") files["/etc/debian_version"] = "12.8\n";
  if (image.os === "alpine") files["/etc/alpine-release"] = "3.21.0\n";
  if (image.userland !== "none") {
    files["/etc/passwd"] = passwd[image.userland] ?? passwd.gnu;
    files["/etc/group"] = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nnogroup:x:65534:\n";
    files["/etc/shells"] = image.userland === "gnu" ? "/bin/sh\n/bin/bash\n" : "/bin/sh\n";
  }
  return files;
}
