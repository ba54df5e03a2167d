import type { Event } from "../../../engine/api/core";
import { Events } from "../../../engine/api/resources";
import type { NodeServices, UnitName } from "../../../engine/kubelet";
import { type NodeTool, nodeObject, parseFlags, type ToolContext } from "./ToolContext";

/** The node's systemd services (engine/kubelet/service), when the cluster runs its kubelets. */
export function nodeServices(context: ToolContext): NodeServices | undefined {
  const components = (context.cluster.components.get("kubelet") ?? []) as unknown as Array<{ services?: NodeServices }>;
  return components.find((component) => component.services?.nodeName === context.node.name)?.services;
}

/** journald's short format of a record of the node's journal. */
function journalLine(
  context: ToolContext,
  entry: { time: number; identifier: string; pid: number; text: string },
): string {
  const date = new Date(entry.time);
  return `${months[date.getUTCMonth()]} ${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${context.node.name} ${entry.identifier}[${entry.pid}]: ${entry.text}`;
}

/** `Tue 2025-04-08 22:17:01 UTC; 8s ago`, as systemctl status words a state's start. */
function timestampAndAgo(ms: number, now: number): string {
  return since(ms, now);
}

/** systemd's format_timespan for a run's Duration: `5min 2.123s`. */
function timespan(ms: number): string {
  let rest = ms / 1000;
  const parts: string[] = [];
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  rest -= minutes * 60;
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}min`);
  if (rest > 0 || parts.length === 0) parts.push(`${Number(rest.toFixed(3))}s`);
  return parts.join(" ");
}

const changedWarning = (unit: string) =>
  `Warning: The unit file, source configuration file or drop-ins of ${unit}.service changed on disk. Run 'systemctl daemon-reload' to reload units.\n`;

/** systemctl status for a unit NodeServices runs. */
async function serviceStatus(
  context: ToolContext,
  services: NodeServices,
  unit: UnitName,
  lines: number,
): Promise<number> {
  const status = services.status(unit);
  if (!status) return 4;
  const now = context.now();
  const bullet = status.activeState === "inactive" ? "○" : "●";
  let out = `${bullet} ${unit}.service - ${status.description}\n`;
  out += `     Loaded: loaded (${status.unitPath}; ${status.enabled ? "enabled" : "disabled"}; preset: enabled)\n`;
  status.dropIns.forEach((dropIn, index) => {
    out += `${index === 0 ? "    Drop-In: " : "             "}${dropIn.directory}\n             └─${dropIn.files.join(", ")}\n`;
  });
  const state =
    status.activeState === "active"
      ? "active (running)"
      : status.activeState === "activating"
        ? `activating (auto-restart)${status.result ? ` (Result: ${status.result})` : ""}`
        : "inactive (dead)";
  out += `     Active: ${state} since ${timestampAndAgo(status.since, now)}\n`;
  if (status.activeState === "inactive" && status.durationMs !== undefined)
    out += `   Duration: ${timespan(status.durationMs)}\n`;
  if (status.documentation) out += `       Docs: ${status.documentation}\n`;
  const exit = (code: number) => (code === 0 ? "status=0/SUCCESS" : `status=${code}/FAILURE`);
  if (status.activeState !== "active" && status.lastProcess) {
    out += `    Process: ${status.lastProcess.pid} ExecStart=${status.lastProcess.command} (code=exited, ${exit(status.lastProcess.status)})\n`;
    out += `   Main PID: ${status.lastProcess.pid} (code=exited, ${exit(status.lastProcess.status)})\n`;
  }
  if (status.activeState === "active" && status.mainPid !== undefined) {
    out += `   Main PID: ${status.mainPid} (${unit})\n`;
    out += `     CGroup: /system.slice/${unit}.service\n             └─${status.mainPid} ${status.commandLine ?? ""}\n`;
  }
  const journal = await unitJournal(context, services, unit);
  const tail = lines > 0 ? journal.slice(-lines) : [];
  if (tail.length > 0) out += `\n${tail.map((entry) => entry.line).join("\n")}\n`;
  if (await services.changedOnDisk(unit)) context.stderr(changedWarning(unit));
  context.stdout(out);
  return status.activeState === "active" ? 0 : 3;
}

/** A unit's journal: the node's records, with the kubelet's recorded events while it ran. */
async function unitJournal(
  context: ToolContext,
  services: NodeServices,
  unit: UnitName,
): Promise<Array<{ time: number; line: string }>> {
  const entries = services.journal.read(unit).map((entry) => ({ time: entry.time, line: journalLine(context, entry) }));
  if (unit === "kubelet") entries.push(...(await kubeletJournal(context)).filter((entry) => !entry.systemd));
  return entries.sort((a, b) => a.time - b.time);
}

/** systemctl's verbs that change a unit, on NodeServices. */
async function changeUnit(
  context: ToolContext,
  services: NodeServices,
  verb: string,
  names: string[],
): Promise<number> {
  if (verb === "daemon-reload") {
    await services.daemonReload();
    return 0;
  }
  if (names.length === 0) {
    context.stderr(`Too few arguments.\n`);
    return 1;
  }
  for (const name of names) {
    const unit = unitName(name);
    if (unit !== "kubelet" && unit !== "containerd") {
      context.stderr(`Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.\n`);
      return 5;
    }
    if ((verb === "start" || verb === "restart") && (await services.changedOnDisk(unit)))
      context.stderr(changedWarning(unit));
    if (verb === "start") await services.start(unit);
    else if (verb === "stop") await services.stop(unit);
    else if (verb === "restart" || verb === "reload") await services.restart(unit);
    else if (verb === "enable" || verb === "disable") {
      const link = `/etc/systemd/system/multi-user.target.wants/${unit}.service`;
      if (services.setEnabled(unit, verb === "enable"))
        context.stderr(
          verb === "enable"
            ? `Created symlink ${link} → ${services.status(unit)?.unitPath}.\n`
            : `Removed "${link}".\n`,
        );
    }
  }
  return 0;
}

/** The units a kubeadm node runs that Kubelab simulates. */
const units: Record<string, { description: string; path: string; dropIn?: string; docs: string; command: string }> = {
  kubelet: {
    description: "kubelet: The Kubernetes Node Agent",
    path: "/usr/lib/systemd/system/kubelet.service",
    dropIn: "10-kubeadm.conf",
    docs: "https://kubernetes.io/docs/",
    command:
      "/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10",
  },
  containerd: {
    description: "containerd container runtime",
    path: "/usr/lib/systemd/system/containerd.service",
    docs: "https://containerd.io",
    command: "/usr/bin/containerd",
  },
};

function unitName(argument: string): string {
  return argument.replace(/\.service$/, "");
}

/** A stable process id per node and unit (the simulation has no processes of its own for them). */
function pidOf(context: ToolContext, unit: string): number {
  let hash = 0;
  for (const character of `${context.node.name}/${unit}`) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return 600 + (hash % 3000);
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (value: number) => String(value).padStart(2, "0");

/** When the unit started: the Node's registration for the kubelet and the runtime. */
async function startedAt(context: ToolContext): Promise<number> {
  const node = await nodeObject(context);
  const created = Date.parse(node?.metadata?.creationTimestamp ?? "");
  return Number.isNaN(created) ? context.now() : created;
}

function since(ms: number, now: number): string {
  const date = new Date(ms);
  const stamp = `${weekdays[date.getUTCDay()]} ${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC`;
  let seconds = Math.max(0, Math.floor((now - ms) / 1000));
  const parts: string[] = [];
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}min`);
  if (!days && !hours) parts.push(`${seconds}s`);
  return `${stamp}; ${parts.join(" ")} ago`;
}

/** journald's short format prefix: `Nov 30 08:00:01 node01 kubelet[1234]: `. */
function journalPrefix(ms: number, context: ToolContext, unit: string): string {
  const date = new Date(ms);
  return `${months[date.getUTCMonth()]} ${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${context.node.name} ${unit}[${pidOf(context, unit)}]: `;
}

/** klog's header: `I1130 08:00:01.000000    1234 `. */
function klogHeader(ms: number, severity: "I" | "W", pid: number): string {
  const date = new Date(ms);
  const micros = `${String(date.getUTCMilliseconds()).padStart(3, "0")}000`;
  return `${severity}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${micros} ${String(pid).padStart(7)}`;
}

const quote = (text: string) => JSON.stringify(text);

/** The kubelet's journal: its start, then the events it recorded (as its event broadcaster logs them). */
async function kubeletJournal(context: ToolContext): Promise<Array<{ time: number; line: string; systemd?: boolean }>> {
  const start = await startedAt(context);
  const pid = pidOf(context, "kubelet");
  const lines: Array<{ time: number; line: string; systemd?: boolean }> = [
    {
      time: start,
      systemd: true,
      line: `${journalPrefix(start, context, "systemd").replace(/systemd\[\d+\]/, "systemd[1]")}Started kubelet.service - kubelet: The Kubernetes Node Agent.`,
    },
  ];
  const events = await context.client.list<Event>(Events);
  for (const event of events.items) {
    const host = event.source?.host ?? event.reportingInstance;
    if (host !== context.node.name || (event.source?.component ?? event.reportingComponent) !== "kubelet") continue;
    const time = Date.parse(event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? "");
    if (Number.isNaN(time)) continue;
    const object = event.involvedObject;
    const name = object.namespace && object.kind !== "Node" ? `${object.namespace}/${object.name}` : object.name;
    const severity = event.type === "Warning" ? "W" : "I";
    lines.push({
      time,
      systemd: false,
      line: `${journalPrefix(time, context, "kubelet")}${klogHeader(time, severity, pid)} event.go:389] "Event occurred" object=${quote(name ?? "")}${object.fieldPath ? ` fieldPath=${quote(object.fieldPath)}` : ""} kind=${quote(object.kind ?? "")} apiVersion=${quote(object.apiVersion ?? "")} type=${quote(event.type ?? "Normal")} reason=${quote(event.reason ?? "")} message=${quote(event.message ?? "")}`,
    });
  }
  return lines.sort((a, b) => a.time - b.time);
}

/** `systemctl status|is-active|is-enabled|show <unit>` for the kubelet and containerd. */
export const systemctl: NodeTool = async (context) => {
  const parsed = parseFlags(context.args, {
    booleans: ["--no-pager", "-l", "--full", "-q", "--quiet"],
    values: ["-n", "--lines"],
  });
  const [verb = "list-units", ...names] = parsed.positional;
  const quiet = parsed.flags.has("-q") || parsed.flags.has("--quiet");
  const services = nodeServices(context);
  if (services) {
    if (["start", "stop", "restart", "reload", "enable", "disable", "daemon-reload"].includes(verb))
      return changeUnit(context, services, verb, names);
    if (verb === "is-active" || verb === "is-enabled") {
      let code = 0;
      for (const name of names) {
        const unit = unitName(name);
        const status = unit === "kubelet" || unit === "containerd" ? services.status(unit) : undefined;
        const word =
          verb === "is-active"
            ? (status?.activeState ?? "inactive")
            : status
              ? status.enabled
                ? "enabled"
                : "disabled"
              : "not-found";
        if (!quiet) context.stdout(`${word}\n`);
        if (word !== "active" && word !== "enabled") code = verb === "is-active" ? 3 : word === "not-found" ? 4 : 1;
      }
      return code;
    }
    const unit = unitName(names[0] ?? "");
    if (verb === "status" && (unit === "kubelet" || unit === "containerd"))
      return serviceStatus(
        context,
        services,
        unit,
        Number(parsed.flags.get("-n") ?? parsed.flags.get("--lines") ?? 10),
      );
  }
  if (
    ["start", "stop", "restart", "reload", "enable", "disable", "daemon-reload", "kill", "mask", "unmask"].includes(
      verb,
    )
  ) {
    if (verb === "daemon-reload") return 0;
    const unit = unitName(names[0] ?? "");
    if (!units[unit]) {
      context.stderr(`Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.\n`);
      return 5;
    }
    if (verb === "restart" || verb === "start" || verb === "enable" || verb === "reload") return 0;
    context.stderr(
      `Failed to ${verb} ${unit}.service: Kubelab keeps the node's ${unit} running (stopping node services is not simulated).\n`,
    );
    return 1;
  }
  if (verb === "is-active" || verb === "is-enabled") {
    let status = 0;
    for (const name of names) {
      const known = Boolean(units[unitName(name)]);
      if (!quiet)
        context.stdout(
          `${known ? (verb === "is-active" ? "active" : "enabled") : verb === "is-active" ? "inactive" : "not-found"}\n`,
        );
      if (!known) status = verb === "is-active" ? 3 : 4;
    }
    return status;
  }
  if (verb !== "status") {
    context.stderr(`Unknown command verb '${verb}'.\n`);
    return 1;
  }
  const unit = unitName(names[0] ?? "kubelet");
  const definition = units[unit];
  if (!definition) {
    context.stderr(`Unit ${unit}.service could not be found.\n`);
    return 4;
  }
  const start = await startedAt(context);
  const pid = pidOf(context, unit);
  let out = `● ${unit}.service - ${definition.description}\n`;
  out += `     Loaded: loaded (${definition.path}; enabled; preset: enabled)\n`;
  if (definition.dropIn) out += `    Drop-In: ${definition.path}.d\n             └─${definition.dropIn}\n`;
  out += `     Active: active (running) since ${since(start, context.now())}\n`;
  out += `       Docs: ${definition.docs}\n`;
  out += `   Main PID: ${pid} (${unit})\n`;
  out += `     CGroup: /system.slice/${unit}.service\n             └─${pid} ${definition.command}\n`;
  if (unit === "kubelet") {
    const journal = await kubeletJournal(context);
    const lines = Number(parsed.flags.get("-n") ?? parsed.flags.get("--lines") ?? 10);
    const tail = journal.slice(-lines);
    if (tail.length > 0) out += `\n${tail.map((entry) => entry.line).join("\n")}\n`;
  }
  context.stdout(out);
  return 0;
};

/** `journalctl -u kubelet [-n N] [-f] [--no-pager]`: the kubelet's journal. */
export const journalctl: NodeTool = async (context) => {
  const parsed = parseFlags(context.args, {
    values: ["-u", "--unit", "-n", "--lines", "--since", "-o", "--output"],
    booleans: ["-f", "--follow", "--no-pager", "-e", "--pager-end", "-x", "-l", "--full", "-r", "--reverse", "-q"],
  });
  if (parsed.unknown) {
    context.stderr(`journalctl: unrecognized option '${parsed.unknown}'\n`);
    return 1;
  }
  const { flags } = parsed;
  const unit = unitName(flags.get("-u") ?? flags.get("--unit") ?? "");
  let entries: Array<{ time: number; line: string }>;
  const services = nodeServices(context);
  if (services && (unit === "kubelet" || unit === "containerd")) entries = await unitJournal(context, services, unit);
  else if (services && unit === "")
    entries = [
      ...(await unitJournal(context, services, "kubelet")),
      ...(await unitJournal(context, services, "containerd")),
    ].sort((a, b) => a.time - b.time);
  else if (unit === "kubelet" || unit === "") entries = await kubeletJournal(context);
  else if (units[unit]) {
    const start = await startedAt(context);
    entries = [
      {
        time: start,
        line: `${journalPrefix(start, context, "systemd").replace(/systemd\[\d+\]/, "systemd[1]")}Started ${unit}.service - ${units[unit]?.description}.`,
      },
    ];
  } else {
    context.stdout("-- No entries --\n");
    return 0;
  }
  const follow = flags.has("-f") || flags.has("--follow");
  const lines = flags.get("-n") ?? flags.get("--lines") ?? (follow ? "10" : flags.has("-e") ? "1000" : undefined);
  if (lines !== undefined && lines !== "all") entries = entries.slice(-Number(lines));
  if (flags.has("-r") || flags.has("--reverse")) entries.reverse();
  context.stdout(entries.map((entry) => `${entry.line}\n`).join(""));
  if (follow && unit === "kubelet" && context.signal) {
    let seen = new Set(entries.map((entry) => entry.line));
    const signal = context.signal;
    // Follow by watching the node's events: each new one is a new journal line.
    await new Promise<void>((resolve) => {
      const read = () => (services ? unitJournal(context, services, "kubelet") : kubeletJournal(context));
      const onChange = () => {
        void read().then((all) => {
          for (const entry of all) if (!seen.has(entry.line)) context.stdout(`${entry.line}\n`);
          seen = new Set(all.map((entry) => entry.line));
        });
      };
      const stopWatch = context.client.watch<Event>(Events, undefined, {}, onChange);
      const stopFollow = services?.journal.follow(onChange);
      const stop = () => {
        stopWatch();
        stopFollow?.();
      };
      signal.addEventListener(
        "abort",
        () => {
          stop();
          resolve();
        },
        { once: true },
      );
    });
  }
  return 0;
};
