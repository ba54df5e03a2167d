import type { KubeletConnection } from "../../apiserver/KubeletConnection";
import type { Component, ComponentContext } from "../../cluster/Component";
import type { ContainerRuntime } from "../../runtime";
import type { Kubelet } from "../Kubelet";
import type { NodeFileSystem } from "../NodeFileSystem";
import { manifestDirectory } from "../StaticPods";
import { Journal } from "./Journal";
import { type KlogLine, kubeletStartup, type NodeNetwork, quoted } from "./kubeletStartup";
import {
  containerdUnitPath,
  kubeletDropInDirectory,
  kubeletUnitPath,
  parseUnit,
  type ServiceDefinition,
  serviceFiles,
} from "./unitFiles";

export type UnitName = "kubelet" | "containerd";

/** systemd's view of one unit, as `systemctl status` shows it. */
export interface UnitStatus {
  name: UnitName;
  description: string;
  documentation: string;
  unitPath: string;
  /** Drop-in folders and their files. */
  dropIns: Array<{ directory: string; files: string[] }>;
  enabled: boolean;
  activeState: "active" | "inactive" | "activating";
  subState: "running" | "dead" | "auto-restart";
  /** Set while the last run ended in failure (`(Result: exit-code)`). */
  result?: "exit-code";
  /** When the unit entered its state. */
  since: number;
  /** The running process, or the last one that exited with its status. */
  mainPid?: number;
  lastProcess?: { pid: number; status: number; command: string };
  /** How long the last run lasted (inactive units). */
  durationMs?: number;
  /** The running command line (CGroup). */
  commandLine?: string;
}

interface UnitRecord {
  definition: ServiceDefinition;
  /** The unit files as systemd loaded them (daemon-reload reads them again). */
  loadedFiles: Record<string, string>;
  enabled: boolean;
  activeState: UnitStatus["activeState"];
  subState: UnitStatus["subState"];
  result?: "exit-code";
  since: number;
  startedAt?: number;
  mainPid?: number;
  lastProcess?: UnitStatus["lastProcess"];
  durationMs?: number;
  commandLine?: string;
  restarts: number;
  cancelRestart?: () => void;
}

/** What starting one kubelet process needs besides what the node already holds. */
export interface KubeletProcessOptions {
  /** The node's containerd (undefined for the node's first kubelet, which makes it). */
  runtime?: ContainerRuntime;
  staticPodPath: string;
  /** Not the node's first kubelet: it takes back what containerd kept. */
  restartedService: boolean;
  /** Writes one of the kubelet's klog lines to the journal, with this process's pid. */
  klog(line: KlogLine): void;
}

export interface NodeServicesOptions {
  nodeName: string;
  fileSystem: NodeFileSystem;
  network: NodeNetwork;
  /** A kubelet process with the node's options and this start's. */
  createKubelet(options: KubeletProcessOptions): Kubelet;
  /** Makes the kubelet's server (port 10250) reachable from the API server; returns a disposer. */
  register?(connection: KubeletConnection): () => void;
}

const unitPaths: Record<UnitName, string> = { kubelet: kubeletUnitPath, containerd: containerdUnitPath };
const dropInDirectories: Record<UnitName, string[]> = {
  kubelet: [kubeletDropInDirectory, "/etc/systemd/system/kubelet.service.d"],
  containerd: ["/etc/systemd/system/containerd.service.d"],
};

/**
 * A node's systemd services: containerd and the kubelet, which a learner can stop, start, restart,
 * break and fix from a node shell. containerd (the node's ContainerRuntime) outlives the kubelet:
 * stopping the kubelet leaves the pods' containers running, and the next kubelet process takes
 * them back. Each kubelet start reads the node's files as the real one does (kubeletStartup); a
 * failed start is retried by systemd every RestartSec (10 s), which is the only timer armed here,
 * and only while the kubelet keeps failing.
 */
export class NodeServices implements Component {
  readonly journal = new Journal();
  private readonly units = new Map<UnitName, UnitRecord>();
  private current?: Kubelet;
  private runtime?: ContainerRuntime;
  private unregister?: () => void;
  private kubeletStarts = 0;
  private nextPid: number;
  private stopped = false;

  constructor(
    private readonly context: ComponentContext,
    private readonly options: NodeServicesOptions,
  ) {
    let hash = 0;
    for (const character of options.nodeName) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
    this.nextPid = 600 + (hash % 3000);
  }

  /** The running kubelet process, if any. */
  get kubelet(): Kubelet | undefined {
    return this.current;
  }

  /** The node's containerd: present from the first kubelet start on. */
  get containerRuntime(): ContainerRuntime | undefined {
    return this.runtime;
  }

  get nodeName(): string {
    return this.options.nodeName;
  }

  /** Is containerd serving its socket? */
  get containerdRunning(): boolean {
    return this.units.get("containerd")?.activeState === "active";
  }

  /** The node boots: the packages' unit files are in place, containerd starts, then the kubelet. */
  async boot(): Promise<void> {
    const fs = this.options.fileSystem;
    for (const [path, content] of Object.entries(serviceFiles)) {
      if ((await fs.readFile(path)) === undefined) await fs.writeFile(path, content);
    }
    for (const name of ["containerd", "kubelet"] as const) this.units.set(name, await this.loadUnit(name, true));
    await this.startContainerd();
    await this.startKubelet();
  }

  status(name: UnitName): UnitStatus | undefined {
    const unit = this.units.get(name);
    if (!unit) return undefined;
    return {
      name,
      description: unit.definition.description,
      documentation: unit.definition.documentation,
      unitPath: unitPaths[name],
      dropIns: this.dropInsOf(name, unit),
      enabled: unit.enabled,
      activeState: unit.activeState,
      subState: unit.subState,
      result: unit.result,
      since: unit.since,
      mainPid: unit.mainPid,
      lastProcess: unit.lastProcess,
      durationMs: unit.durationMs,
      commandLine: unit.commandLine,
    };
  }

  /** Have the unit's files changed since systemd loaded them (daemon-reload needed)? */
  async changedOnDisk(name: UnitName): Promise<boolean> {
    const unit = this.units.get(name);
    if (!unit) return false;
    const now = await this.readUnitFiles(name);
    const paths = new Set([...Object.keys(now), ...Object.keys(unit.loadedFiles)]);
    return [...paths].some((path) => now[path] !== unit.loadedFiles[path]);
  }

  /** `systemctl daemon-reload`: the unit files are read again. */
  async daemonReload(): Promise<void> {
    for (const [name, unit] of this.units) {
      const reloaded = await this.loadUnit(name, unit.enabled);
      unit.definition = reloaded.definition;
      unit.loadedFiles = reloaded.loadedFiles;
    }
  }

  async start(name: UnitName): Promise<void> {
    const unit = this.units.get(name);
    if (!unit || unit.activeState === "active") return;
    if (name === "containerd") await this.startContainerd();
    else {
      unit.cancelRestart?.();
      unit.cancelRestart = undefined;
      await this.startKubelet();
    }
  }

  async stop(name: UnitName): Promise<void>;
  stop(): void;
  stop(name?: UnitName): void | Promise<void> {
    if (name === undefined) return this.shutDown();
    const unit = this.units.get(name);
    if (!unit || unit.activeState === "inactive") return Promise.resolve();
    if (name === "containerd") this.stopContainerd(unit);
    else this.stopKubelet(unit);
    return Promise.resolve();
  }

  async restart(name: UnitName): Promise<void> {
    await this.stop(name);
    await this.start(name);
  }

  /** `systemctl enable|disable`: whether the unit starts at boot (the running state is left alone). */
  setEnabled(name: UnitName, enabled: boolean): boolean {
    const unit = this.units.get(name);
    if (!unit || unit.enabled === enabled) return false;
    unit.enabled = enabled;
    return true;
  }

  private now(): number {
    return this.context.clock.now();
  }

  private allocatePid(): number {
    // Other processes start between two services' starts: the next PID is some way on.
    this.nextPid += 17 + (this.nextPid % 23);
    return this.nextPid;
  }

  private async readUnitFiles(name: UnitName): Promise<Record<string, string>> {
    const fs = this.options.fileSystem;
    const files: Record<string, string> = {};
    const main = await fs.readFile(unitPaths[name]);
    if (main !== undefined) files[unitPaths[name]] = main;
    for (const directory of dropInDirectories[name]) {
      for (const file of (await fs.readDir(directory)).filter((entry) => entry.endsWith(".conf")).sort()) {
        const content = await fs.readFile(`${directory}/${file}`);
        if (content !== undefined) files[`${directory}/${file}`] = content;
      }
    }
    return files;
  }

  private async loadUnit(name: UnitName, enabled: boolean): Promise<UnitRecord> {
    const loadedFiles = await this.readUnitFiles(name);
    const previous = this.units.get(name);
    return {
      ...(previous ?? { activeState: "inactive", subState: "dead", since: this.now(), restarts: 0 }),
      definition: parseUnit(Object.values(loadedFiles)),
      loadedFiles,
      enabled,
    };
  }

  private dropInsOf(name: UnitName, unit: UnitRecord): UnitStatus["dropIns"] {
    const dropIns: UnitStatus["dropIns"] = [];
    for (const directory of dropInDirectories[name]) {
      const files = Object.keys(unit.loadedFiles)
        .filter((path) => path.startsWith(`${directory}/`))
        .map((path) => path.slice(directory.length + 1));
      if (files.length > 0) dropIns.push({ directory, files });
    }
    return dropIns;
  }

  private describe(name: UnitName): string {
    const description = this.units.get(name)?.definition.description ?? "";
    return `${name}.service - ${description}`;
  }

  // ---- containerd ----

  private async startContainerd(): Promise<void> {
    const unit = this.units.get("containerd");
    if (!unit) return;
    const now = this.now();
    this.journal.systemd(now, "containerd", `Starting ${this.describe("containerd")}...`);
    const pid = this.allocatePid();
    Object.assign(unit, {
      activeState: "active",
      subState: "running",
      result: undefined,
      since: now,
      startedAt: now,
      mainPid: pid,
      commandLine: "/usr/bin/containerd",
    });
    this.journal.systemd(now, "containerd", `Started ${this.describe("containerd")}.`);
    this.current?.runtimeUp();
  }

  /** KillMode=process: only containerd ends; the shims and the containers they hold keep running. */
  private stopContainerd(unit: UnitRecord): void {
    const now = this.now();
    this.journal.systemd(now, "containerd", `Stopping ${this.describe("containerd")}...`);
    const pods = new Set(
      (this.runtime?.listContainers() ?? []).filter((c) => c.state === "running").map((c) => c.spec.podUid),
    );
    let shimPid = (unit.mainPid ?? 1000) + 40;
    for (const _pod of pods) {
      shimPid += 37;
      this.journal.systemd(
        now,
        "containerd",
        `containerd.service: Unit process ${shimPid} (containerd-shim) remains running after unit stopped.`,
      );
    }
    this.journal.systemd(now, "containerd", "containerd.service: Deactivated successfully.");
    this.journal.systemd(now, "containerd", `Stopped ${this.describe("containerd")}.`);
    this.exited(unit, now, 0);
    this.current?.runtimeDown();
  }

  // ---- the kubelet ----

  private async startKubelet(): Promise<void> {
    const unit = this.units.get("kubelet");
    if (!unit || this.stopped) return;
    const now = this.now();
    const pid = this.allocatePid();
    this.journal.systemd(now, "kubelet", `Started ${this.describe("kubelet")}.`);
    const startup = await kubeletStartup(
      this.options.fileSystem,
      unit.definition,
      this.containerdRunning,
      this.options.network,
    );
    if (this.stopped) return;
    for (const line of startup.logs) this.journal.klog(now, pid, line);
    unit.commandLine = startup.argv.join(" ");
    if (startup.outcome === "failed") {
      unit.mainPid = undefined;
      this.journal.systemd(now, "kubelet", "kubelet.service: Main process exited, code=exited, status=1/FAILURE");
      this.journal.systemd(now, "kubelet", "kubelet.service: Failed with result 'exit-code'.");
      Object.assign(unit, {
        activeState: "activating",
        subState: "auto-restart",
        result: "exit-code",
        since: now,
        lastProcess: { pid, status: 1, command: unit.definition.execStart },
      });
      this.scheduleRestart(unit);
      return;
    }
    Object.assign(unit, {
      activeState: "active",
      subState: "running",
      result: undefined,
      since: now,
      startedAt: now,
      mainPid: pid,
      restarts: 0,
    });
    const started = this.kubeletStarts++ > 0;
    this.journal.klog(now, pid, {
      severity: "I",
      source: "server.go:520",
      message: `"Kubelet version" kubeletVersion="v1.32.0"`,
    });
    if (startup.unreachable) {
      this.logUnreachable(now, pid, startup.unreachable);
      return;
    }
    const kubelet = this.options.createKubelet({
      runtime: this.runtime,
      staticPodPath: startup.staticPodPath,
      restartedService: started,
      klog: (line) => this.journal.klog(this.now(), pid, line),
    });
    this.current = kubelet;
    this.runtime = kubelet.runtime;
    // kubeadm makes /etc/kubernetes/manifests on every node (empty on workers): another path that
    // holds nothing is taken as missing, as the file source says of it.
    if (
      startup.staticPodPath !== "" &&
      startup.staticPodPath !== manifestDirectory &&
      (await this.options.fileSystem.readDir(startup.staticPodPath)).length === 0
    )
      this.journal.klog(now, pid, {
        severity: "E",
        source: "file_linux.go:61",
        message: `"Unable to read config path" err="path does not exist, ignoring" path=${quoted(startup.staticPodPath)}`,
      });
    this.unregister = this.options.register?.(kubelet.connection);
    await kubelet.start();
    if (!this.containerdRunning) kubelet.runtimeDown();
  }

  /** The kubelet runs but its kubeconfig's server does not answer: it cannot register or renew its Lease. */
  private logUnreachable(now: number, pid: number, { server, dial }: { server: string; dial: string }): void {
    const node = this.options.nodeName;
    const lines: KlogLine[] = [
      {
        severity: "I",
        source: "kubelet_node_status.go:76",
        message: `"Attempting to register node" node=${quoted(node)}`,
      },
      {
        severity: "E",
        source: "kubelet_node_status.go:108",
        message: `"Unable to register node with API server" err=${quoted(`Post ${quoted(`${server}/api/v1/nodes`)}: ${dial}`)} node=${quoted(node)}`,
      },
      {
        severity: "E",
        source: "controller.go:145",
        message: `"Failed to ensure lease exists, will retry" err=${quoted(`Get ${quoted(`${server}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}?timeout=10s`)}: ${dial}`)} interval="7s"`,
      },
    ];
    for (const line of lines) this.journal.klog(now, pid, line);
  }

  /** Restart=always, RestartSec=10: systemd tries again, counting. */
  private scheduleRestart(unit: UnitRecord): void {
    unit.cancelRestart?.();
    const delay = Math.round(unit.definition.restartSec * 1000);
    unit.cancelRestart = this.context.clock.setTimer(delay, () => {
      unit.cancelRestart = undefined;
      unit.restarts++;
      this.journal.systemd(
        this.now(),
        "kubelet",
        `kubelet.service: Scheduled restart job, restart counter is at ${unit.restarts}.`,
      );
      void this.startKubelet();
    });
  }

  private stopKubelet(unit: UnitRecord): void {
    const now = this.now();
    unit.cancelRestart?.();
    unit.cancelRestart = undefined;
    if (unit.activeState === "active") {
      this.journal.systemd(now, "kubelet", `Stopping ${this.describe("kubelet")}...`);
      this.current?.stopService();
      this.current = undefined;
      this.unregister?.();
      this.unregister = undefined;
      this.journal.systemd(now, "kubelet", "kubelet.service: Deactivated successfully.");
      this.exited(unit, now, 0);
    } else {
      Object.assign(unit, { activeState: "inactive", subState: "dead", since: now });
    }
    this.journal.systemd(now, "kubelet", `Stopped ${this.describe("kubelet")}.`);
  }

  private exited(unit: UnitRecord, now: number, status: number): void {
    Object.assign(unit, {
      activeState: "inactive",
      subState: "dead",
      result: undefined,
      since: now,
      durationMs: unit.startedAt !== undefined ? now - unit.startedAt : undefined,
      lastProcess:
        unit.mainPid !== undefined ? { pid: unit.mainPid, status, command: unit.definition.execStart } : undefined,
      mainPid: undefined,
    });
  }

  /** The cluster stops: everything ends, containers included. */
  private shutDown(): void {
    this.stopped = true;
    for (const unit of this.units.values()) unit.cancelRestart?.();
    this.current?.stop();
    this.current = undefined;
    this.unregister?.();
    this.unregister = undefined;
    // What a stopped kubelet left to containerd ends with the node.
    for (const container of this.runtime?.listContainers() ?? []) this.runtime?.removeContainer(container);
  }
}
