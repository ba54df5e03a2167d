/**
 * The systemd units a kubeadm node runs its kubelet and containerd with, as the kubernetes
 * packages (kubelet.service, kubeadm's 10-kubeadm.conf drop-in), `kubeadm init|join`
 * (kubeadm-flags.env) and containerd.io install them on Ubuntu.
 */

export const kubeletUnitPath = "/usr/lib/systemd/system/kubelet.service";
export const kubeletDropInDirectory = "/usr/lib/systemd/system/kubelet.service.d";
export const kubeletDropInPath = `${kubeletDropInDirectory}/10-kubeadm.conf`;
export const kubeadmFlagsPath = "/var/lib/kubelet/kubeadm-flags.env";
export const containerdUnitPath = "/usr/lib/systemd/system/containerd.service";

const kubeletUnit = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

const kubeadmDropIn = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

const kubeadmFlags = `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"
`;

const containerdUnit = `# Copyright The containerd Authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

[Unit]
Description=containerd container runtime
Documentation=https://containerd.io
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/bin/containerd

Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=5

# Having non-zero Limit*s causes performance problems due to accounting overhead
# in the kernel. We recommend using cgroups to do container-local accounting.
LimitNPROC=infinity
LimitCORE=infinity

# Comment TasksMax if your systemd version does not supports it.
# Only systemd 226 and above support this version.
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;

/** The unit files and the kubelet's flags file, by path (kubeadmFiles writes them with the rest). */
export const serviceFiles: Readonly<Record<string, string>> = Object.freeze({
  [kubeletUnitPath]: kubeletUnit,
  [kubeletDropInPath]: kubeadmDropIn,
  [kubeadmFlagsPath]: kubeadmFlags,
  [containerdUnitPath]: containerdUnit,
});

/** What systemd reads of a unit: its Description, Documentation, Restart and ExecStart, and the environment. */
export interface ServiceDefinition {
  description: string;
  documentation: string;
  restartSec: number;
  restartAlways: boolean;
  /** ExecStart as written (variables unexpanded), after drop-ins reset and replace it. */
  execStart: string;
  environment: Record<string, string>;
  /** EnvironmentFile= entries: path, and whether a missing file is fine ("-" prefix). */
  environmentFiles: Array<{ path: string; optional: boolean }>;
}

/** systemd's unit file reading, for the few keys that matter here; later files override earlier ones. */
export function parseUnit(files: readonly string[]): ServiceDefinition {
  const unit: ServiceDefinition = {
    description: "",
    documentation: "",
    restartSec: 0.1,
    restartAlways: false,
    execStart: "",
    environment: {},
    environmentFiles: [],
  };
  for (const text of files) {
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) continue;
      const equals = line.indexOf("=");
      if (equals < 0) continue;
      const key = line.slice(0, equals).trim();
      const value = line.slice(equals + 1).trim();
      if (key === "Description") unit.description = value;
      else if (key === "Documentation") unit.documentation = value.split(/\s+/)[0] ?? "";
      else if (key === "Restart") unit.restartAlways = value === "always" || value === "on-failure";
      else if (key === "RestartSec") unit.restartSec = Number.parseFloat(value) || 0;
      else if (key === "ExecStart") unit.execStart = value;
      else if (key === "Environment") Object.assign(unit.environment, parseAssignments(value));
      else if (key === "EnvironmentFile")
        unit.environmentFiles.push(
          value.startsWith("-") ? { path: value.slice(1), optional: true } : { path: value, optional: false },
        );
    }
  }
  return unit;
}

/** `A=b "C=d e"` (Environment=) or an environment file's `A="b c"` lines. */
export function parseAssignments(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of splitWords(text)) {
    const equals = word.indexOf("=");
    if (equals > 0) out[word.slice(0, equals)] = word.slice(equals + 1);
  }
  return out;
}

/** Splits on whitespace, honouring double and single quotes (systemd's and the shell's common part). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let quote: string | undefined;
  let inWord = false;
  for (const character of text) {
    if (quote) {
      if (character === quote) quote = undefined;
      else current += character;
    } else if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
    } else if (/\s/.test(character)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += character;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/**
 * ExecStart's command line with `$VAR` expanded as systemd does: an unquoted `$VAR` becomes the
 * variable's words (none when unset or empty).
 */
export function commandLine(unit: ServiceDefinition, environment: Record<string, string>): string[] {
  const argv: string[] = [];
  for (const word of splitWords(unit.execStart.replace(/^[-@:+!]+/, ""))) {
    const variable = /^\$(\w+)$/.exec(word) ?? /^\$\{(\w+)\}$/.exec(word);
    if (variable) argv.push(...splitWords(environment[variable[1] ?? ""] ?? ""));
    else argv.push(word.replace(/\$\{?(\w+)\}?/g, (_match, name: string) => environment[name] ?? ""));
  }
  return argv;
}
