import { AsyncLocalStorage } from "node:async_hooks";
import {
  Bash,
  type Command as BashCommand,
  createCommandContext,
  decodeBytesToUtf8,
  defineCommand,
  encodeUtf8ToBytes,
  getCommandNames,
  type IFileSystem,
  InMemoryFs,
  latin1FromBytes,
  parse,
  type ScriptNode,
} from "just-bash";
import { RealClock } from "../../engine/clock/RealClock";
import { NetworkError } from "../../engine/proxy/Network";
import { curlCommand, wgetCommand } from "../../engine/runtime/shell/networkCommands";
import type { SharedClients } from "../kubectl/Command";
import { Discovery } from "../kubectl/Discovery";
import type { KubectlIO } from "../kubectl/KubectlIO";
import { loadKubeconfig } from "../kubectl/kubeconfig";
import { runKubectl } from "../kubectl/kubectl";
import { virtualLocalFiles } from "../kubectl/localFiles";
import { RestClient } from "../kubectl/RestClient";
import { ClusterApiEndpoint } from "../node/clusterApiEndpoint";
import { type NodeBackend, nodeToolNames } from "../node/NodeBackend";
import { collectShellFiles } from "../node/shellFiles";
import { expandAliases, formatAlias, parseAliasArguments } from "./aliases";
import { ansi, toCrlf } from "./ansi";
import { type LinePart, splitBackground } from "./backgroundLine";
import { Completer } from "./Completer";
import { Editor, type SaveText } from "./Editor";
import { chooseEditor } from "./editorChoice";
import { baseFiles, createLearnerFileSystem, type Mount, shellPath, withShellBinaries } from "./filesystem";
import { hasOpenHereDocument } from "./hereDocuments";
import { expandHistory } from "./historyExpansion";
import { jobCommands, waitPlugin } from "./jobCommands";
import { JobTable, plausiblePids, TooManyJobs } from "./jobs";
import { decodeKeys, type Key } from "./keys";
import { LineEditor } from "./LineEditor";
import { Loopback } from "./Loopback";
import { NodeShellFs } from "./NodeShellFs";
import { opensslCommand } from "./openssl/command";
import { ShellDefinitions } from "./ShellDefinitions";
import { parseSshArguments } from "./ssh";
import {
  isStreamingCommand,
  planStreamingPipeline,
  planStreamingRedirect,
  type StreamingPipelinePlan,
  type StreamingRedirectPlan,
} from "./streamingPipeline";

/** What the hosting passes in to start a learner shell. */
export interface ShellOptions {
  /** The learner's home folder on disk (mounted at /root); history and manifests live there. */
  homeDirectory: string;
  /** The kubeconfig text for the learner's cluster (copied to /root/.kube/config). */
  kubeconfig: string;
  /** Where output goes (a pty's stdout). */
  write(text: string): void;
  columns: number;
  rows: number;
  hostname?: string;
  /** Extra file systems (node file systems for ssh, later). */
  mounts?: Mount[];
  /** Extra commands. */
  commands?: BashCommand[];
  /**
   * The cluster's nodes (file systems and node tools). With it the shell is the control plane's
   * own shell (its /etc/kubernetes, /var/log, … outside /root), `ssh <node>` opens the other
   * nodes, and crictl, etcdctl, systemctl, journalctl, iptables, ip, curl, wget and nslookup work.
   */
  nodes?: NodeBackend;
  /** Called when the learner exits the shell (exit, logout, Ctrl-D). */
  onExit?(status: number): void;
}

type Mode = "idle" | "prompt" | "running" | "editor";

const liveCommands = new Set(["kubectl", "watch", "vi", "vim", "nano", "sleep", "clear"]);
const historyLimit = 2000;

/**
 * The learner's shell: just-bash for bash syntax and coreutils, Kubelab's kubectl as a command,
 * a line editor with history and completion, and a live path for commands that stream (kubectl
 * -w, logs -f, exec -it, watch, sleep) or take the screen (vi, nano, kubectl edit).
 */
export class Shell {
  private bash: Bash;
  /** The shells this one was entered from with `ssh` (exit returns to the last). */
  private readonly hosts: HostState[] = [];
  private readonly editor: LineEditor;
  private readonly history: string[] = [];
  private readonly aliases = new Map<string, string>([["k", "kubectl"]]);
  /** Functions and arrays defined on earlier lines (just-bash keeps only the environment between runs). */
  private readonly definitions = new ShellDefinitions();
  /** kubectl's clients for the shell's life; discovery is kept as kubectl's disk cache keeps it (6 hours). */
  private readonly shared: SharedClients = { discoveryMaxAgeMs: 6 * 60 * 60_000 };
  private readonly completer: Completer;
  private env: Record<string, string>;
  private cwd = "/root";
  private mode: Mode = "idle";
  private columns: number;
  private rows: number;
  private continuation = "";
  private abort: AbortController | undefined;
  private inputListeners = new Set<(data: string) => void>();
  private resizeListeners = new Set<(columns: number, rows: number) => void>();
  private fullScreen: Editor | undefined;
  private fullScreenDone: ((result: { saved: string | undefined }) => void) | undefined;
  private queue: Promise<void> = Promise.resolve();
  private editorQueue: Promise<void> = Promise.resolve();
  private typeAhead: Key[] = [];
  private lastStatus = 0;
  private hostname: string;
  /** The API server at the nodes' own addresses (kubeadm's admin.conf …), over the shell's own connection. */
  private readonly clusterApi: ClusterApiEndpoint | undefined;
  /** The background jobs (`cmd &`), as bash's job table. */
  private readonly jobs = new JobTable(plausiblePids());
  /**
   * The job whose commands run in this async context. Each background job runs in its own scope,
   * so everything it runs (kubectl -w, logs -f, port-forward, sleep, node tools) stops on its own
   * signal (`kill %1`) rather than the foreground's (Ctrl-C), and leaves the shell's working
   * directory and variables alone, as a subshell does.
   */
  private readonly jobScope = new AsyncLocalStorage<{ signal: AbortSignal }>();
  /** The shell's own loopback: `kubectl port-forward` listens there, curl and wget connect there. */
  private readonly loopback = new Loopback();

  constructor(private readonly options: ShellOptions) {
    this.columns = options.columns;
    this.rows = options.rows;
    this.hostname = options.hostname ?? "controlplane";
    if (options.nodes) {
      let own: ReturnType<typeof loadKubeconfig> | undefined;
      const kubeconfig = options.kubeconfig;
      this.clusterApi = new ClusterApiEndpoint(options.nodes, async () => {
        // The kubeconfig the shell was started with, whatever the learner has made of ~/.kube/config.
        const io = { ...this.kubectlIO({ live: false }), readFile: async () => kubeconfig, clusterApi: undefined };
        own ??= loadKubeconfig(io, { kubeconfig: "/root/.kube/config" });
        return (await own).connection;
      });
    }
    const customCommands = [
      ...this.commands(),
      ...this.nodeCommands(this.hostname, () => fs),
      // Without node access curl and wget still reach the shell's own loopback (port-forwards).
      ...(options.nodes ? [] : [this.networkCommand("curl"), this.networkCommand("wget")]),
      ...(options.commands ?? []),
    ];
    const fs = createLearnerFileSystem(
      options.homeDirectory,
      options.mounts,
      options.nodes ? new NodeShellFs(options.nodes, this.hostname) : undefined,
      commandNamesOf(customCommands),
    );
    this.env = {
      HOME: "/root",
      USER: "root",
      LOGNAME: "root",
      HOSTNAME: this.hostname,
      SHELL: "/bin/bash",
      TERM: "xterm-256color",
      PATH: shellPath,
      KUBECONFIG: "/root/.kube/config",
      LANG: "C.UTF-8",
      PWD: "/root",
      COLUMNS: String(options.columns),
      LINES: String(options.rows),
    };
    this.bash = new Bash({
      fs,
      cwd: "/root",
      env: this.env,
      customCommands,
      executionLimits,
    });
    this.bash.registerTransformPlugin(this.definitions.plugin);
    this.bash.registerTransformPlugin(waitPlugin);
    this.editor = new LineEditor({
      write: (text) => this.output(text),
      columns: () => this.columns,
      complete: (line, cursor) => this.completer.complete(line, cursor),
      history: this.history,
    });
    this.completer = new Completer(
      {
        commands: () => this.commandNames(),
        aliases: () => this.aliases,
        listDirectory: async (path) => {
          const names = await this.bash.fs.readdir(path);
          return Promise.all(
            names.map(async (name) => {
              const stat = await this.bash.fs.stat(`${path.replace(/\/$/, "")}/${name}`).catch(() => undefined);
              return { name, directory: stat?.isDirectory ?? false };
            }),
          );
        },
        cwd: () => this.cwd,
        home: () => "/root",
        nodeNames: async () => ((await this.options.nodes?.nodes()) ?? []).map((node) => node.name),
      },
      {
        resourceTypes: async () => {
          const discovery = await this.discovery();
          const infos = await discovery.all();
          return [
            ...new Set(
              infos.flatMap((info) => [
                info.resource,
                info.singular,
                ...info.shortNames,
                ...(info.group ? [`${info.resource}.${info.group}`] : []),
              ]),
            ),
          ];
        },
        objectNames: async (type, namespace) => {
          const discovery = await this.discovery();
          const info = await discovery.resolve(type);
          const client = this.shared.client as RestClient;
          const { resourcePath } = await import("../kubectl/Discovery");
          const ns = info.namespaced ? (namespace ?? (await this.currentNamespace())) : undefined;
          const list = await client.get<{ items: { metadata: { name: string } }[] }>(resourcePath(info, ns), {
            query: { limit: 200 },
          });
          return list.items.map((item) => item.metadata.name);
        },
      },
    );
  }

  private commandNames(): string[] {
    const names = new Set<string>([
      "kubectl",
      "help",
      "exit",
      "logout",
      "history",
      "alias",
      "unalias",
      "cd",
      "watch",
      "vi",
      "vim",
      "nano",
      "clear",
      "jobs",
      "fg",
      "bg",
      "kill",
      "wait",
      "disown",
      "curl",
      "wget",
    ]);
    for (const name of bashCommandNames) names.add(name);
    for (const command of this.options.commands ?? []) names.add(command.name);
    if (this.options.nodes) for (const name of nodeToolNames) names.add(name);
    names.add("ssh");
    return [...names];
  }

  private async currentNamespace(): Promise<string> {
    return (await loadKubeconfig(this.kubectlIO({ live: false }), {})).namespace;
  }

  private async discovery(): Promise<Discovery> {
    if (!this.shared.discovery) {
      const { connection } = await loadKubeconfig(this.kubectlIO({ live: false }), {});
      this.shared.client = new RestClient(connection);
      this.shared.discovery = new Discovery(this.shared.client, this.shared.discoveryMaxAgeMs);
      this.shared.key = connection.key;
    }
    return this.shared.discovery;
  }

  /** The prompt, as a kubeadm node's root shell shows it. */
  private prompt(): string {
    const home = "/root";
    const where =
      this.cwd === home ? "~" : this.cwd.startsWith(`${home}/`) ? `~${this.cwd.slice(home.length)}` : this.cwd;
    return `${this.hostname}:${where}$ `;
  }

  /** Prepares the home folder and prints the first prompt. */
  async start(): Promise<void> {
    const fs = this.bash.fs;
    await fs.mkdir("/root/.kube", { recursive: true });
    const configPath = "/root/.kube/config";
    const markerPath = "/root/.kube/.kubelab-cluster";
    const marker = clusterMarker(this.options.kubeconfig);
    const previous = await fs.readFile(markerPath).catch(() => "");
    if (previous !== marker || !(await fs.exists(configPath))) {
      await fs.writeFile(configPath, this.options.kubeconfig);
      await fs.writeFile(markerPath, marker);
    }
    const saved = await fs.readFile("/root/.bash_history").catch(() => "");
    this.history.push(
      ...saved
        .split("\n")
        .filter((line) => line.trim() !== "")
        .slice(-historyLimit),
    );
    const aliasFile = await fs.readFile("/root/.kubelab_aliases").catch(() => "");
    for (const line of aliasFile.split("\n")) {
      const match = /^alias ([^=]+)='(.*)'$/.exec(line);
      if (match) this.aliases.set(match[1] as string, (match[2] as string).replace(/'\\''/g, "'"));
    }
    // Without node access, the node's own files live in memory (/root is the learner's folder);
    // with it, everything outside /root and /tmp is the control-plane node's file system.
    if (!this.options.nodes) {
      for (const directory of ["/tmp", "/var/log", "/etc/kubernetes/manifests", "/usr/local/bin"])
        await fs.mkdir(directory, { recursive: true }).catch(() => undefined);
      for (const [file, content] of Object.entries({ ...baseFiles, "/etc/hostname": `${this.hostname}\n` })) {
        await fs.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true }).catch(() => undefined);
        await fs.writeFile(file, content).catch(() => undefined);
      }
    }
    await this.readBashrc();
    this.showPrompt();
  }

  /**
   * Reads ~/.bashrc as an interactive bash does when it starts (its aliases, functions and exports
   * are the session's); a home without one gets {@link defaultBashrc}.
   */
  private async readBashrc(): Promise<void> {
    const fs = this.bash.fs;
    const bashrc = await fs.readFile("/root/.bashrc").catch(() => undefined);
    if (bashrc === undefined) await fs.writeFile("/root/.bashrc", defaultBashrc).catch(() => undefined);
    // The default file only sets `alias k=kubectl`, which every shell starts with: running it
    // through the interpreter would cost a new session ~60 ms before its prompt, for nothing.
    if (bashrc === undefined || bashrc === defaultBashrc) return;
    this.mode = "running";
    try {
      await this.runInBash("source ~/.bashrc");
    } catch (error) {
      this.write(`bash: ${(error as Error).message}\n`);
    }
    this.lastStatus = 0;
  }

  private discoveryTimer: NodeJS.Timeout | undefined;
  private discoveryFetched = false;

  /**
   * Fetches discovery once the new shell has been idle at its prompt for a moment (the learner
   * reads the lesson), as kubectl would find it in its disk cache: the learner's first command
   * then does not wait for ~20 discovery requests. Typing postpones it, so it never competes
   * with keystrokes.
   */
  private scheduleDiscovery(): void {
    if (this.discoveryFetched || this.options.kubeconfig.trim() === "") return;
    if (this.discoveryTimer) clearTimeout(this.discoveryTimer);
    this.discoveryTimer = setTimeout(() => {
      this.discoveryTimer = undefined;
      // A command is running: the next prompt schedules it again.
      if (this.mode !== "prompt") return;
      this.discoveryFetched = true;
      void this.discovery()
        .then((discovery) => discovery.all())
        .catch(() => undefined);
    }, 300);
    this.discoveryTimer.unref?.();
  }

  private showPrompt(): void {
    this.mode = "prompt";
    // Jobs that ended since the last prompt are reported before the next one, as bash does
    // (without `set -b`): `[1]+  Done                    sleep 3`.
    if (!this.continuation) {
      const notices = this.jobs.takeNotices();
      if (notices) this.write(notices);
    }
    // Output that did not end in a newline stays and the prompt follows it, as in bash
    // (`printf abc` leaves `abccontrolplane:~$ `); a line filled to the edge wraps first.
    if (this.column > 0 && this.column % Math.max(1, this.columns) === 0) this.output("\r\n");
    this.editor.start(this.continuation ? "> " : this.prompt(), "", this.column);
    const pending = this.typeAhead;
    this.typeAhead = [];
    // Keys typed while the command ran go to the new line in order, on the same queue as later
    // keys: this runs once the handler that showed the prompt has returned, before any newer input.
    if (pending.length > 0) this.enqueueKeys(pending);
    this.scheduleDiscovery();
  }

  private enqueueKeys(keys: Key[]): void {
    this.queue = this.queue
      .then(() => this.handleKeys(keys))
      .catch((error) => this.output(toCrlf(`kubelab shell: ${String(error)}\n`)));
  }

  /** The cursor's column after everything written so far (for where the next prompt starts). */
  private column = 0;
  /** The column saved when the alternate screen opened (restored when it closes). */
  private readonly savedColumn = { column: 0 };

  /** Writes to the terminal, following the cursor's column. */
  private output(text: string): void {
    this.column = advanceColumn(this.column, text, this.savedColumn);
    this.options.write(text);
  }

  /** Feeds terminal input (keystrokes, pastes). */
  input(data: string): void {
    if (this.discoveryTimer) this.scheduleDiscovery();
    if (this.mode === "running" && this.inputListeners.size > 0) {
      if (data.includes("\x03") && !this.interactiveRaw) this.abort?.abort();
      for (const listener of this.inputListeners) listener(data);
      return;
    }
    const keys = decodeKeys(data, this.mode !== "editor");
    if (this.mode === "editor") {
      // The command that opened the editor holds the main queue until the editor closes, so
      // editor keys take their own queue.
      this.editorQueue = this.editorQueue.then(() => this.handleKeys(keys)).catch(() => undefined);
      return;
    }
    if (this.mode === "running") {
      for (const key of keys) {
        if (key.type === "ctrl" && key.letter === "c") {
          this.abort?.abort();
          this.output("^C");
          // Like the tty's line discipline on SIGINT: input typed ahead is discarded.
          this.typeAhead = [];
        } else this.typeAhead.push(key);
      }
      return;
    }
    this.enqueueKeys(keys);
  }

  private interactiveRaw = false;

  /** The terminal changed size. */
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    // bash's checkwinsize: scripts see the new size.
    this.env = { ...this.env, COLUMNS: String(columns), LINES: String(rows) };
    for (const listener of this.resizeListeners) listener(columns, rows);
    this.fullScreen?.resize(columns, rows);
  }

  private async handleKeys(keys: Key[]): Promise<void> {
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as Key;
      if (this.mode === "editor" && this.fullScreen) {
        const result = await this.fullScreen.handle(key);
        if (result) {
          this.fullScreen = undefined;
          this.fullScreenDone?.(result);
        }
        continue;
      }
      if (this.mode !== "prompt") {
        this.typeAhead.push(...keys.slice(index));
        return;
      }
      if (key.type === "paste" && key.text.includes("\n")) {
        // A pasted block runs line by line, as bash does with pasted text.
        const parts = key.text.replace(/\r\n?/g, "\n").split("\n");
        const expanded: Key[] = [];
        parts.forEach((part, partIndex) => {
          if (part) expanded.push({ type: "text", text: part });
          if (partIndex < parts.length - 1) expanded.push({ type: "enter" });
        });
        keys.splice(index, 1, ...expanded);
        index--;
        continue;
      }
      const result = await this.editor.handle(key);
      if (result === undefined) continue;
      if (result === "\x04") {
        if (this.hosts.length > 0) {
          this.leaveHost(0);
          this.showPrompt();
          return;
        }
        this.output("logout\r\n");
        this.mode = "idle";
        this.hangUpJobs();
        await this.historySaved;
        this.options.onExit?.(0);
        return;
      }
      if (result === "\x03") {
        this.continuation = "";
        this.lastStatus = 130;
        this.showPrompt();
        continue;
      }
      this.typeAhead = [...keys.slice(index + 1), ...this.typeAhead];
      // From Enter on, keys wait for the next prompt behind the rest of this chunk, also while
      // the line is saved to the history before the command starts.
      this.mode = "running";
      await this.submit(result);
      return;
    }
  }

  private async submit(line: string): Promise<void> {
    const full = this.continuation ? `${this.continuation}\n${line}` : line;
    if (full.trim() === "") {
      this.continuation = "";
      this.showPrompt();
      return;
    }
    if (isIncomplete(full)) {
      this.continuation = full;
      this.showPrompt();
      return;
    }
    this.continuation = "";
    // History expansion (!!, !$, !prefix …): bash shows the line it expanded to, then runs it.
    const expansion = expandHistory(full, this.history);
    if ("error" in expansion) {
      this.write(`bash: ${expansion.error}\n`);
      this.showPrompt();
      return;
    }
    if (expansion.expanded) this.write(`${expansion.line}\n`);
    this.remember(expansion.line);
    await this.execute(expansion.line);
    if ((this.mode as Mode) === "idle") return;
    this.showPrompt();
  }

  /**
   * Runs one complete command line exactly as if it had been typed at the prompt (aliases, live
   * commands, just-bash), without the line editor or history; output goes to `write`, and input
   * fed meanwhile reaches the command (Ctrl-C stops it). Returns its exit status. The grader
   * scripts lesson solutions through this, so they run as they would in the learner's terminal.
   */
  async execute(line: string): Promise<number> {
    this.mode = "running";
    const abort = new AbortController();
    this.abort = abort;
    this.interruptHandled = false;
    try {
      this.lastStatus = await this.run(line);
    } catch (error) {
      // just-bash stops a script on Ctrl-C by throwing ("execution aborted"); bash prints only ^C.
      if (!abort.signal.aborted) this.output(toCrlf(`bash: ${(error as Error).message}\n`));
      this.lastStatus = 1;
    } finally {
      this.abort = undefined;
      this.inputListeners.clear();
      this.resizeListeners.clear();
    }
    if (abort.signal.aborted && !this.interruptHandled) {
      // A command killed by Ctrl-C (SIGINT) ends with 128+2 whatever it returned itself, and bash
      // starts the next prompt on a new line, after the echoed `^C` rather than on it.
      this.lastStatus = 130;
      if (this.column > 0) this.output("\n");
    }
    return this.lastStatus;
  }

  /** Set by a command that catches SIGINT and exits on its own terms (procps `watch` exits 0). */
  private interruptHandled = false;

  /** The history file's pending appends, in order (awaited before the shell exits). */
  private historySaved: Promise<void> = Promise.resolve();

  private remember(line: string): void {
    if (line.startsWith(" ")) return;
    if (this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > historyLimit) this.history.splice(0, this.history.length - historyLimit);
      // Saved while the command runs (bash itself writes the file only at exit), not before it:
      // under load a file write can take milliseconds.
      const text = `${line.replace(/\n/g, " ")}\n`;
      const fs = this.bash.fs;
      this.historySaved = this.historySaved.then(() =>
        fs.appendFile("/root/.bash_history", text).catch(() => undefined),
      );
    }
  }

  private write(text: string): void {
    this.output(toCrlf(text));
  }

  /** Runs one complete command line and returns its status. */
  private async run(input: string): Promise<number> {
    // The learner is root, as on a kubeadm node: `sudo …` runs the command, `sudo -i` is a no-op.
    const line = withoutSudo(input);
    if (line === "") return 0;
    const parts = this.inBackground() ? undefined : splitBackground(line);
    if (parts) return this.runParts(parts);
    const simple = simpleCommand(line);
    if (simple) {
      const handled = await this.builtin(simple.name, simple.argsText, line);
      if (handled !== undefined) return handled;
    }
    const expanded = expandAliases(line, this.aliases);
    const live = simpleCommand(expanded);
    if (live && (liveCommands.has(live.name) || live.name === "ssh" || this.isNodeTool(live.name))) {
      const argv = await this.expandArguments(expanded);
      if (argv) return this.runLive(argv[0] as string, argv.slice(1));
    }
    const plan = planStreamingPipeline(expanded, (argv) =>
      isStreamingCommand(argv, this.options.nodes ? nodeToolNames : []),
    );
    if (plan) {
      const status = await this.runStreamingPipeline(plan);
      if (status !== undefined) return status;
    }
    const redirect = planStreamingRedirect(expanded, (argv) =>
      isStreamingCommand(argv, this.options.nodes ? nodeToolNames : []),
    );
    if (redirect) {
      const status = await this.runStreamingRedirect(redirect);
      if (status !== undefined) return status;
    }
    return this.runInBash(expanded);
  }

  /** Shell built-ins whose state must outlive one just-bash exec. */
  private async builtin(name: string, argsText: string, line: string): Promise<number | undefined> {
    switch (name) {
      case "exit":
      case "logout": {
        if (this.hosts.length > 0) {
          const status = Number(argsText.trim() || "0");
          this.leaveHost(Number.isFinite(status) ? status : 0);
          return Number.isFinite(status) ? status : 0;
        }
        // `exit &` runs in a subshell: it leaves the job, not the shell.
        if (this.inBackground()) return Number(argsText.trim() || "0") || 0;
        this.write("logout\n");
        this.mode = "idle";
        this.hangUpJobs();
        const status = Number(argsText.trim() || "0");
        await this.historySaved;
        this.options.onExit?.(Number.isFinite(status) ? status : 0);
        return status;
      }
      case "alias": {
        const args = await this.expandArguments(line);
        const pairs = parseAliasArguments((args ?? []).slice(1));
        if (pairs.length === 0) {
          this.write(
            [...this.aliases.entries()]
              .sort()
              .map(([key, value]) => `${formatAlias(key, value)}\n`)
              .join(""),
          );
          return 0;
        }
        let status = 0;
        for (const pair of pairs) {
          if (pair.value === undefined) {
            const value = this.aliases.get(pair.name);
            if (value === undefined) {
              this.write(`bash: alias: ${pair.name}: not found\n`);
              status = 1;
            } else this.write(`${formatAlias(pair.name, value)}\n`);
          } else this.aliases.set(pair.name, pair.value);
        }
        await this.saveAliases();
        return status;
      }
      case "help":
        if (argsText.trim() === "") {
          this.write(helpText(this.commandNames()));
          return 0;
        }
        return undefined;
      case "unalias": {
        const args = (await this.expandArguments(line)) ?? [];
        for (const alias of args.slice(1)) {
          if (alias === "-a") this.aliases.clear();
          else if (!this.aliases.delete(alias)) {
            this.write(`bash: unalias: ${alias}: not found\n`);
            return 1;
          }
        }
        await this.saveAliases();
        return 0;
      }
      default:
        return undefined;
    }
  }

  private async saveAliases(): Promise<void> {
    const text = [...this.aliases.entries()].map(([key, value]) => formatAlias(key, value)).join("\n");
    await this.bash.fs.writeFile("/root/.kubelab_aliases", `${text}\n`).catch(() => undefined);
  }

  /** Expands a simple command's words in the current shell state (variables, quotes, globs). */
  private async expandArguments(line: string): Promise<string[] | undefined> {
    // Words of plain characters expand to themselves (no quotes, variables, globs, braces, tildes,
    // escapes or comments): split them here instead of a just-bash run (`kubectl get pods -n x`).
    if (plainWords.test(line)) return line.trim().split(/[ \t]+/);
    const trimmed = line.trimStart();
    const firstSpace = trimmed.search(/\s/);
    const rest = firstSpace < 0 ? "" : trimmed.slice(firstSpace);
    const name = firstSpace < 0 ? trimmed : trimmed.slice(0, firstSpace);
    const result = await this.bash.exec(`__kubelab_argv ${rest}`, {
      cwd: this.cwd,
      env: this.env,
      replaceEnv: true,
      rawScript: true,
    });
    if (result.exitCode !== 0) return undefined;
    try {
      return [name, ...(JSON.parse(result.stdout) as string[])];
    } catch {
      return undefined;
    }
  }

  private async runInBash(line: string): Promise<number> {
    // $? carries over from the previous line, as in an interactive bash.
    const status = this.lastStatus !== 0 ? `__kubelab_status ${this.lastStatus}; ` : "";
    // Definitions are the first shell's session state; a node shell entered with ssh starts clean.
    const keepsDefinitions = this.hosts.length === 0;
    // The line may read or change aliases: it sees the shell's (just-bash keeps them as
    // BASH_ALIAS_<name> variables), which are then taken back from its environment.
    const aliasAware = keepsDefinitions && aliasWords.test(line);
    // A line that may change arrays hands them back at its end (keeping its status).
    const arrays = keepsDefinitions && this.definitions.mayChangeArrays(line);
    const script = `${status}${line}${arrays ? '\n__kubelab_arrays $? "$(declare -p)"' : ""}`;
    const env = aliasAware
      ? { ...this.env, ...Object.fromEntries([...this.aliases].map(([name, value]) => [`BASH_ALIAS_${name}`, value])) }
      : this.env;
    const result = await this.bash.exec(script, {
      cwd: this.cwd,
      env,
      replaceEnv: true,
      signal: this.signal(),
      rawScript: true,
    });
    if (result.stdout) this.write(result.stdout);
    // just-bash ends a script stopped by Ctrl-C or `kill` with "execution aborted"; bash prints only ^C.
    const stderr = this.signal()?.aborted ? result.stderr.replace(/^bash: execution aborted\n?/m, "") : result.stderr;
    if (stderr) this.write(learnerWording(stderr));
    // A background job is a subshell: its variables, directory and definitions stay its own.
    if (this.inBackground()) return this.signal()?.aborted ? 130 : result.exitCode;
    this.env = { ...result.env };
    delete this.env["?"];
    if (result.env.PWD) this.cwd = result.env.PWD;
    if (keepsDefinitions) await this.keepDefinitions(line, aliasAware);
    if (this.signal()?.aborted) return 130;
    return result.exitCode;
  }

  /**
   * After a line ran in just-bash: keeps the functions it defined (also in the files it sourced)
   * and the aliases it made or removed, as bash keeps them for the next line.
   */
  private async keepDefinitions(line: string, aliasAware: boolean): Promise<void> {
    const aliases = new Map<string, string>();
    for (const [name, value] of Object.entries(this.env))
      if (name.startsWith("BASH_ALIAS_")) {
        aliases.set(name.slice("BASH_ALIAS_".length), value);
        delete this.env[name];
      }
    const changed = aliasAware
      ? aliases.size !== this.aliases.size || [...aliases].some(([name, value]) => this.aliases.get(name) !== value)
      : aliases.size > 0;
    if (changed) {
      if (aliasAware) this.aliases.clear();
      for (const [name, value] of aliases) this.aliases.set(name, value);
      await this.saveAliases();
    }
    let script: ScriptNode;
    try {
      script = parse(line);
    } catch {
      return;
    }
    for (const path of this.definitions.sourcedPaths(script)) {
      const full = this.bash.fs.resolvePath(this.cwd, path.startsWith("~/") ? `/root/${path.slice(2)}` : path);
      const text = await this.bash.fs.readFile(full).catch(() => undefined);
      if (text === undefined) continue;
      try {
        this.definitions.collect(parse(text));
      } catch {
        // bash stopped at the same syntax error.
      }
    }
    this.definitions.collect(script);
  }

  private kubectlIO(options: {
    live: boolean;
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    stdin?: string;
    cwd?: string;
  }): KubectlIO {
    const fs = this.bash.fs;
    const cwd = options.cwd ?? this.cwd;
    const resolve = (path: string) => fs.resolvePath(cwd, path.startsWith("~/") ? `/root/${path.slice(2)}` : path);
    const io: KubectlIO = {
      cwd,
      stdout: options.stdout ?? ((text) => this.write(text)),
      stderr: options.stderr ?? ((text) => this.write(text)),
      readStdin: async () => options.stdin ?? "",
      readFile: (path) => fs.readFile(resolve(path)),
      writeFile: async (path, content) => {
        const full = resolve(path);
        await fs.mkdir(full.slice(0, full.lastIndexOf("/")) || "/", { recursive: true }).catch(() => undefined);
        await fs.writeFile(full, content);
      },
      readDirectory: async (path) => {
        const full = resolve(path);
        const stat = await fs.stat(full).catch(() => undefined);
        if (!stat?.isDirectory) return undefined;
        return fs.readdir(full);
      },
      files: virtualLocalFiles(fs, resolve),
      env: this.env,
      signal: this.signal(),
      clusterApi: this.clusterApi,
      listen: (address, port, onConnection) => this.loopback.listen(address, port, onConnection),
    };
    if (options.live) io.isTerminal = true;
    // A background job does not get the terminal's input (bash would stop it with SIGTTIN).
    if (options.live && !this.inBackground()) {
      io.edit = (text, fileName) => this.editForKubectl(io, text, fileName);
      io.terminal = {
        columns: this.columns,
        rows: this.rows,
        onInput: (listener) => {
          this.interactiveRaw = true;
          this.inputListeners.add(listener);
          return () => {
            this.inputListeners.delete(listener);
            this.interactiveRaw = false;
          };
        },
        onResize: (listener) => {
          this.resizeListeners.add(listener);
          return () => this.resizeListeners.delete(listener);
        },
      };
    }
    return io;
  }

  /** `kubectl edit`'s editor: the one `$KUBE_EDITOR` or `$EDITOR` names in the command's environment, else vi. */
  private editForKubectl(io: KubectlIO, text: string, fileName: string): Promise<string | undefined> {
    const choice = chooseEditor(io.env ?? {});
    if ("error" in choice) return Promise.reject(new Error(choice.error));
    return this.openEditor(text, fileName, choice.flavour);
  }

  /** Opens the full-screen editor; resolves with the saved text (undefined when nothing was saved). */
  private openEditor(
    text: string,
    fileName: string,
    flavour: "vi" | "nano",
    save?: SaveText,
  ): Promise<string | undefined> {
    return new Promise((resolve) => {
      let lastSaved: string | undefined;
      const editor = new Editor(
        text,
        fileName,
        flavour,
        (output) => this.output(output),
        { columns: this.columns, rows: this.rows },
        async (content, name) => {
          lastSaved = content;
          return save ? save(content, name) : undefined;
        },
      );
      this.fullScreen = editor;
      this.fullScreenDone = () => {
        this.mode = "running";
        resolve(lastSaved);
      };
      this.mode = "editor";
      editor.open();
      const pending = this.typeAhead;
      this.typeAhead = [];
      if (pending.length > 0) void this.handleKeys(pending);
    });
  }

  /**
   * `kubectl get pods -w | grep web | head -3`: the first command writes as it goes and every batch
   * of complete lines runs through the filters at once; `head` stops the stream once it has its
   * lines (as SIGPIPE would), Ctrl-C stops it all.
   */
  private async runStreamingPipeline(plan: StreamingPipelinePlan): Promise<number | undefined> {
    const argv = await this.expandArguments(plan.source);
    if (!argv) return undefined;
    const [name, ...args] = argv;
    const outer = this.signal();
    const producer = new AbortController();
    outer?.addEventListener("abort", () => producer.abort(), { once: true });
    const remaining = plan.stages.map((stage) => (stage.kind === "head" ? stage.lines : 0));
    const last = plan.stages[plan.stages.length - 1];
    let everSucceeded = false;
    let lastStatus = 0;
    let done = false;
    let finalInput = "";
    const final = plan.stages.find((stage) => stage.kind === "final");
    let chain: Promise<void> = Promise.resolve();
    const cwd = this.cwd;
    const env = this.env;
    const bash = this.bash;
    const flow = (batch: string) => {
      chain = chain.then(async () => {
        let data = batch;
        for (const [index, stage] of plan.stages.entries()) {
          if (done || data === "") return;
          if (stage.kind === "head") {
            const lines = data.split("\n");
            if (lines[lines.length - 1] === "") lines.pop();
            const taken = lines.slice(0, remaining[index]);
            remaining[index] = (remaining[index] ?? 0) - taken.length;
            data = taken.map((line) => `${line}\n`).join("");
            if ((remaining[index] ?? 0) <= 0) {
              if (final) finalInput += data;
              else if (data) this.write(data);
              done = true;
              producer.abort();
              return;
            }
          } else if (stage.kind === "final") {
            finalInput += data;
            return;
          } else {
            const result = await bash.exec(stage.script, { stdin: data, cwd, env, replaceEnv: true });
            if (result.stderr) this.write(learnerWording(result.stderr));
            data = result.stdout;
            if (stage === last) {
              lastStatus = result.exitCode;
              if (result.exitCode === 0) everSucceeded = true;
            }
          }
        }
        if (data) this.write(data);
      });
    };
    let pending = "";
    const stdout = (text: string) => {
      pending += text;
      const end = pending.lastIndexOf("\n");
      if (end < 0) return;
      flow(pending.slice(0, end + 1));
      pending = pending.slice(end + 1);
    };
    const stderr = (text: string) => this.write(text);
    if (name === "kubectl") {
      const io = this.kubectlIO({ live: false, stdout, stderr });
      io.signal = producer.signal;
      await runKubectl(args, io, { shared: this.shared });
    } else if (name && this.options.nodes) {
      await this.options.nodes.run(this.hostname, argv, {
        stdout,
        stderr,
        signal: producer.signal,
        columns: this.columns,
        cwd,
        shellFiles: await collectShellFiles(bash.fs, cwd, args),
      });
    } else return undefined;
    if (pending) flow(`${pending}\n`);
    await chain;
    if (outer?.aborted) return 130;
    if (final?.kind === "final") {
      const result = await bash.exec(final.script, { stdin: finalInput, cwd, env, replaceEnv: true });
      this.write(result.stdout);
      if (result.stderr) this.write(learnerWording(result.stderr));
      return result.exitCode;
    }
    if (last?.kind === "head") return 0;
    return everSucceeded ? 0 : lastStatus;
  }

  /** `kubectl logs -f web > log.txt`: each write of the command is appended to the file as it comes. */
  private async runStreamingRedirect(plan: StreamingRedirectPlan): Promise<number | undefined> {
    const argv = await this.expandArguments(plan.source);
    if (!argv) return undefined;
    const [name, ...args] = argv;
    if (name !== "kubectl" && !this.options.nodes) return undefined;
    const fs = this.bash.fs;
    const cwd = this.cwd;
    const path = fs.resolvePath(cwd, plan.path.startsWith("~/") ? `/root/${plan.path.slice(2)}` : plan.path);
    try {
      if (!plan.append || !(await fs.exists(path))) await fs.writeFile(path, "");
    } catch {
      this.write(`bash: ${plan.path}: No such file or directory\n`);
      return 1;
    }
    let written: Promise<void> = Promise.resolve();
    const toFile = (text: string) => {
      written = written.then(() => fs.appendFile(path, text)).catch(() => undefined);
    };
    const stderr = plan.withErrors ? toFile : (text: string) => this.write(text);
    const status =
      name === "kubectl"
        ? await runKubectl(args, this.kubectlIO({ live: false, stdout: toFile, stderr }), { shared: this.shared })
        : await (this.options.nodes as NodeBackend).run(this.hostname, argv, {
            stdout: toFile,
            stderr,
            signal: this.signal(),
            columns: this.columns,
            cwd,
            shellFiles: await collectShellFiles(fs, cwd, args),
          });
    await written;
    return this.signal()?.aborted ? 130 : status;
  }

  /** Commands that write as they go, take the terminal, or run until Ctrl-C. */
  private async runLive(name: string, args: string[]): Promise<number> {
    if (name === "ssh")
      return this.inBackground()
        ? this.ssh(args, { stdout: (text) => this.write(text), stderr: (text) => this.write(text), interactive: false })
        : this.ssh(args);
    if ((name === "curl" || name === "wget") && this.reachesLoopback(args)) return this.runNetworkLocally(name, args);
    if (this.inBackground() && ["watch", "vi", "vim", "nano"].includes(name)) {
      this.write(`${name}: needs the terminal; run it in the foreground\n`);
      return 1;
    }
    if (this.isNodeTool(name) && this.options.nodes)
      return this.options.nodes.run(this.hostname, [name, ...args], {
        stdout: (text) => this.write(text),
        stderr: (text) => this.write(text),
        signal: this.signal(),
        columns: this.columns,
        cwd: this.cwd,
        shellFiles: await collectShellFiles(this.bash.fs, this.cwd, args),
      });
    switch (name) {
      case "kubectl":
        return runKubectl(args, this.kubectlIO({ live: true }), { shared: this.shared });
      case "clear":
        this.output(ansi.clearScreen);
        return 0;
      case "sleep":
        return this.sleep(args);
      case "watch":
        return this.watch(args);
      default:
        return this.edit(name === "nano" ? "nano" : "vi", args);
    }
  }

  private async sleep(args: string[]): Promise<number> {
    const seconds = args.reduce((sum, arg) => {
      const match = /^([0-9.]+)([smhd]?)$/.exec(arg);
      if (!match) return Number.NaN;
      const factor = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "" | "s" | "m" | "h" | "d"];
      return sum + Number(match[1]) * factor;
    }, 0);
    if (args.length === 0 || Number.isNaN(seconds)) {
      this.write(
        args.length === 0
          ? "sleep: missing operand\nTry 'sleep --help' for more information.\n"
          : `sleep: invalid time interval '${args[0]}'\nTry 'sleep --help' for more information.\n`,
      );
      return 1;
    }
    const signal = this.signal();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return signal?.aborted ? 130 : 0;
  }

  /** procps `watch`: reruns a command every interval on a cleared screen until Ctrl-C. */
  private async watch(args: string[]): Promise<number> {
    let interval = 2;
    let noTitle = false;
    const rest = [...args];
    while (rest[0]?.startsWith("-")) {
      const flag = rest.shift() as string;
      if (flag === "-n" || flag === "--interval") interval = Number(rest.shift());
      else if (flag.startsWith("-n")) interval = Number(flag.slice(2));
      else if (flag.startsWith("--interval=")) interval = Number(flag.slice(11));
      else if (flag === "-t" || flag === "--no-title") noTitle = true;
    }
    if (rest.length === 0) {
      this.write("Usage:\n watch [options] command\n");
      return 1;
    }
    interval = Math.max(0.1, Number.isFinite(interval) ? interval : 2);
    const command = rest.join(" ");
    const signal = this.signal();
    this.output(ansi.alternateScreen);
    while (!signal?.aborted) {
      const expanded = expandAliases(command, this.aliases);
      let output = "";
      const simple = simpleCommand(expanded);
      if (simple?.name === "kubectl") {
        const argv = (await this.expandArguments(expanded)) ?? [];
        await runKubectl(
          argv.slice(1),
          this.kubectlIO({ live: false, stdout: (text) => (output += text), stderr: (text) => (output += text) }),
          { shared: this.shared },
        );
      } else {
        const result = await this.bash.exec(expanded, { cwd: this.cwd, env: this.env, replaceEnv: true, signal });
        output = result.stdout + result.stderr;
      }
      const now = new Date();
      const title = `Every ${interval.toFixed(1)}s: ${command}`;
      const stamp = `${this.hostname}: ${now.toUTCString().replace(/GMT$/, "UTC")}`;
      let screen = ansi.moveTo(1, 1) + ansi.clearScreenDown;
      if (!noTitle)
        screen += `${title}${" ".repeat(Math.max(1, this.columns - title.length - stamp.length))}${stamp}\r\n\r\n`;
      // Lines end in LF (the pty adds the CR).
      const lines = output.split("\n").slice(0, Math.max(1, this.rows - (noTitle ? 0 : 2)));
      screen += lines.map((line) => line.slice(0, this.columns)).join("\r\n");
      this.output(screen);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval * 1000);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.output(ansi.mainScreen);
    this.interruptHandled = true;
    return 0;
  }

  private async edit(flavour: "vi" | "nano", args: string[]): Promise<number> {
    const files = args.filter((arg) => !arg.startsWith("-") && !arg.startsWith("+"));
    const file = files[0];
    const fs = this.bash.fs;
    const path = file ? fs.resolvePath(this.cwd, file.startsWith("~/") ? `/root/${file.slice(2)}` : file) : undefined;
    const text = path ? await fs.readFile(path).catch(() => "") : "";
    await this.openEditor(text, file ?? "[No Name]", flavour, async (content, name) => {
      // nano's Write Out may name another file.
      const target =
        name === file
          ? path
          : name === "[No Name]"
            ? undefined
            : fs.resolvePath(this.cwd, name.startsWith("~/") ? `/root/${name.slice(2)}` : name);
      if (!target) return "E32: No file name";
      try {
        await fs.writeFile(target, content);
        return undefined;
      } catch (error) {
        return `"${name}" E212: Can't open file for writing: ${(error as Error).message}`;
      }
    });
    return 0;
  }

  /** Custom commands registered with just-bash (for pipes, redirections and scripts). */
  private commands(): BashCommand[] {
    return [
      ...jobCommands({ table: this.jobs, write: (text) => this.write(text) }),
      defineCommand("__kubelab_argv", async (args) => ({ stdout: JSON.stringify(args), stderr: "", exitCode: 0 })),
      opensslCommand(),
      defineCommand("kubectl", async (args, ctx) => {
        let stdout = "";
        let stderr = "";
        const io = this.kubectlIO({
          live: false,
          stdout: (text) => (stdout += text),
          stderr: (text) => (stderr += text),
          stdin: decodeBytesToUtf8(ctx.stdin),
          cwd: ctx.cwd,
        });
        io.env = Object.fromEntries(ctx.env);
        if (ctx.signal) io.signal = ctx.signal;
        // `KUBE_EDITOR=nano kubectl edit …` and `kubectl edit …; …` run here: the terminal is still the learner's.
        if (this.mode === "running" && !this.inBackground())
          io.edit = (text, fileName) => this.editForKubectl(io, text, fileName);
        const exitCode = await runKubectl(args, io, { shared: this.shared });
        return { stdout, stderr, exitCode };
      }),
      defineCommand("history", async (args) => {
        if (args[0] === "-c") {
          this.history.length = 0;
          await this.bash.fs.writeFile("/root/.bash_history", "").catch(() => undefined);
          return { stdout: "", stderr: "", exitCode: 0 };
        }
        const count = Number(args[0]) || this.history.length;
        const start = Math.max(0, this.history.length - count);
        let out = "";
        for (let index = start; index < this.history.length; index++)
          out += `${String(index + 1).padStart(5)}  ${this.history[index]}\n`;
        return { stdout: out, stderr: "", exitCode: 0 };
      }),
      defineCommand("__kubelab_status", async (args) => ({ stdout: "", stderr: "", exitCode: Number(args[0]) || 0 })),
      defineCommand("__kubelab_arrays", async (args) => {
        this.definitions.recordArrays(args[1] ?? "");
        return { stdout: "", stderr: "", exitCode: Number(args[0]) || 0 };
      }),
      // The node's name and root, as on a kubeadm node (just-bash's own say localhost and user).
      defineCommand("hostname", async (_args, ctx) => ({
        stdout: `${ctx.env.get("HOSTNAME") ?? this.hostname}\n`,
        stderr: "",
        exitCode: 0,
      })),
      defineCommand("whoami", async () => ({ stdout: "root\n", stderr: "", exitCode: 0 })),
      defineCommand("sudo", async (args, ctx) => {
        const command = withoutSudo(["sudo", ...args].map(quoteWord).join(" "));
        if (command === "") return { stdout: "", stderr: "", exitCode: 0 };
        if (!ctx.exec) return { stdout: "", stderr: "sudo: not available here\n", exitCode: 1 };
        return ctx.exec(command, { cwd: ctx.cwd, stdin: decodeBytesToUtf8(ctx.stdin) });
      }),
      defineCommand("help", async () => ({ stdout: helpText(this.commandNames()), stderr: "", exitCode: 0 })),
      defineCommand("watch", async (args, ctx) => {
        if (!ctx.exec) return { stdout: "", stderr: "watch: not available here\n", exitCode: 1 };
        const result = await ctx.exec(args.filter((arg) => !/^-n|^--interval|^-t$/.test(arg)).join(" "), {
          cwd: ctx.cwd,
        });
        return result;
      }),
      ...["vi", "vim", "nano"].map((name) =>
        defineCommand(name, async () => ({
          stdout: "",
          stderr: `${name}: the editor needs the terminal; run it on its own line\n`,
          exitCode: 1,
        })),
      ),
      defineCommand("ssh", async (args, ctx) => {
        // In a pipeline or script: only `ssh <node> <command>` makes sense (no terminal to enter).
        // Its stdin (a pipe, a here-document) is the remote command's stdin, as with ssh.
        let stdout = "";
        let stderr = "";
        const exitCode = await this.ssh(args, {
          stdout: (text) => (stdout += text),
          stderr: (text) => (stderr += text),
          interactive: false,
          stdin: latin1FromBytes(ctx.stdin),
        });
        return { stdout, stderr, exitCode };
      }),
    ];
  }

  /** The signal that stops what runs here: the background job's (`kill %1`), else the foreground's (Ctrl-C). */
  private signal(): AbortSignal | undefined {
    return this.jobScope.getStore()?.signal ?? this.abort?.signal;
  }

  private inBackground(): boolean {
    return this.jobScope.getStore() !== undefined;
  }

  /** Runs a line's parts in order: `sleep 30 & echo next` starts job 1, then echoes. */
  private async runParts(parts: LinePart[]): Promise<number> {
    let status = 0;
    for (const part of parts) {
      status = part.background ? this.startJob(part.text, part.display ?? part.text) : await this.run(part.text);
      this.lastStatus = status;
    }
    return status;
  }

  /** `cmd &`: starts the job, prints `[1] 1234` as bash does, and returns at once. */
  private startJob(text: string, display: string): number {
    try {
      const job = this.jobs.start(expandAliases(display, this.aliases), (signal) =>
        this.jobScope.run({ signal }, () => this.runJob(text)),
      );
      this.write(`[${job.number}] ${job.pid}\n`);
      setLastBackgroundPid(this.bash, job.pid);
      return 0;
    } catch (error) {
      if (!(error instanceof TooManyJobs)) throw error;
      // bash's words when fork fails; the limit keeps jobs within the shell's memory and CPU.
      this.write(
        `bash: fork: Resource temporarily unavailable (at most ${this.jobs.limit} jobs run at once: \`jobs\` lists them, \`kill %N\` stops one)\n`,
      );
      return 254;
    }
  }

  private async runJob(text: string): Promise<number> {
    try {
      return await this.run(text);
    } catch (error) {
      // A job stopped by `kill` is reported by its notice, not by just-bash's "execution aborted".
      if (!this.signal()?.aborted) this.write(`bash: ${(error as Error).message}\n`);
      return 1;
    }
  }

  /** Leaving the shell ends its jobs, so their watches, streams and listeners are released. */
  private hangUpJobs(): void {
    for (const job of this.jobs.running()) this.jobs.kill(job, "HUP");
  }

  /** True when a curl or wget URL names the shell's loopback at a port something listens on. */
  private reachesLoopback(args: string[]): boolean {
    if (!this.options.nodes) return true;
    return args.some((arg) => {
      if (arg.startsWith("-")) return false;
      try {
        const url = new URL(/^[a-z]+:\/\//i.test(arg) ? arg : `http://${arg}`);
        const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
        return this.loopback.accepts(url.hostname.replace(/^\[|\]$/g, ""), port);
      } catch {
        return false;
      }
    });
  }

  /** The engine's curl or wget over the shell's loopback (other hosts: the node's network is elsewhere). */
  private networkCommand(name: "curl" | "wget"): BashCommand {
    const network = this.loopback.network((host) =>
      /^[\d.]+$|:/.test(host)
        ? new NetworkError("ConnectionRefused", "connect: connection refused")
        : new NetworkError("NameNotResolved", `Could not resolve host: ${host}`),
    );
    const source = { ip: "127.0.0.1" };
    return name === "curl" ? curlCommand(network, source, clock) : wgetCommand(network, source, clock);
  }

  private async runNetworkLocally(name: "curl" | "wget", args: string[]): Promise<number> {
    const result = await this.networkCommand(name).execute(
      args,
      createCommandContext({
        fs: this.bash.fs,
        cwd: this.cwd,
        env: new Map(Object.entries(this.env)),
        stdin: encodeUtf8ToBytes(""),
        signal: this.signal(),
      }),
    );
    this.write(result.stdout);
    this.write(result.stderr);
    return result.exitCode;
  }

  private isNodeTool(name: string): boolean {
    return this.options.nodes !== undefined && (nodeToolNames as readonly string[]).includes(name);
  }

  /** The node tools as just-bash commands bound to `node` (for pipes and scripts; live runs stream). */
  private nodeCommands(node: string, shellFs: () => IFileSystem): BashCommand[] {
    const backend = this.options.nodes;
    if (!backend) return [];
    return nodeToolNames.map((name) =>
      defineCommand(name, async (args, ctx) => {
        if ((name === "curl" || name === "wget") && this.reachesLoopback(args))
          return this.networkCommand(name).execute(args, ctx);
        let stdout = "";
        let stderr = "";
        const exitCode = await backend.run(node, [name, ...args], {
          stdin: decodeBytesToUtf8(ctx.stdin),
          stdout: (text) => (stdout += text),
          stderr: (text) => (stderr += text),
          signal: ctx.signal ?? this.signal(),
          columns: this.columns,
          cwd: ctx.cwd,
          // The shell's own file system (its mounts); the command's view of it has none.
          shellFiles: await collectShellFiles(shellFs(), ctx.cwd, args),
        });
        return { stdout, stderr, exitCode };
      }),
    );
  }

  /** A shell on another node: its file system, its tools, the same kubectl, history and aliases. */
  private nodeBash(node: string): Bash {
    const backend = this.options.nodes as NodeBackend;
    const customCommands = [...this.commands(), ...this.nodeCommands(node, () => fs), ...(this.options.commands ?? [])];
    const fs = withShellBinaries(new NodeShellFs(backend, node), commandNamesOf(customCommands));
    const bash = new Bash({
      fs,
      cwd: "/root",
      env: this.nodeEnvironment(node),
      customCommands,
      executionLimits,
    });
    bash.registerTransformPlugin(waitPlugin);
    return bash;
  }

  private nodeEnvironment(node: string): Record<string, string> {
    return { ...this.env, HOSTNAME: node, PWD: "/root", OLDPWD: "/root" };
  }

  /**
   * `ssh [options] [user@]node [command …]`: enters the node's shell (exit comes back), or runs
   * one command there. Nodes are found by name or IP; anything else does not resolve.
   */
  private async ssh(
    args: string[],
    io: {
      stdout(text: string): void;
      stderr(text: string): void;
      interactive: boolean;
      /** Bytes (latin1) for the remote command's stdin. */
      stdin?: string;
    } = {
      stdout: (text) => this.write(text),
      stderr: (text) => this.write(text),
      interactive: true,
    },
  ): Promise<number> {
    const parsed = parseSshArguments(args);
    if ("error" in parsed) {
      io.stderr(parsed.error);
      return 255;
    }
    const backend = this.options.nodes;
    if (!backend) {
      io.stderr(`ssh: connect to host ${parsed.host} port 22: Connection refused\n`);
      return 255;
    }
    let nodes: Awaited<ReturnType<NodeBackend["nodes"]>>;
    try {
      nodes = await backend.nodes();
    } catch (error) {
      io.stderr(`ssh: connect to host ${parsed.host} port 22: ${(error as Error).message}\n`);
      return 255;
    }
    const host = parsed.host === "localhost" || parsed.host === "127.0.0.1" ? this.hostname : parsed.host;
    const node = nodes.find((candidate) => candidate.name === host || candidate.ip === host);
    if (!node) {
      io.stderr(`ssh: Could not resolve hostname ${parsed.host}: Name or service not known\n`);
      return 255;
    }
    if (parsed.command.length > 0 || !io.interactive) {
      if (parsed.command.length === 0) {
        io.stderr("Pseudo-terminal will not be allocated because stdin is not a terminal.\n");
        return 255;
      }
      const bash = this.nodeBash(node.name);
      const result = await bash.exec(parsed.command.join(" "), {
        cwd: "/root",
        env: this.nodeEnvironment(node.name),
        replaceEnv: true,
        signal: this.signal(),
        ...(io.stdin ? { stdin: io.stdin, stdinKind: "bytes" as const } : {}),
      });
      io.stdout(result.stdout);
      io.stderr(learnerWording(result.stderr));
      return result.exitCode;
    }
    this.hosts.push({
      bash: this.bash,
      hostname: this.hostname,
      cwd: this.cwd,
      env: this.env,
      lastStatus: this.lastStatus,
    });
    this.bash = this.nodeBash(node.name);
    this.hostname = node.name;
    this.cwd = "/root";
    this.env = this.nodeEnvironment(node.name);
    return 0;
  }

  /** `exit` in a node shell: back to the shell ssh was run from, as ssh reports it. */
  private leaveHost(status: number): void {
    const previous = this.hosts.pop();
    if (!previous) return;
    this.write(`logout\nConnection to ${this.hostname} closed.\n`);
    this.bash = previous.bash;
    this.hostname = previous.hostname;
    this.cwd = previous.cwd;
    this.env = previous.env;
    this.lastStatus = status;
  }
}

const clock = new RealClock();

/**
 * `$!`: just-bash keeps the last background pid in its interpreter state, which every exec starts
 * from a copy of, and offers no way to set it; the shell's jobs run outside it, so it is set here.
 */
function setLastBackgroundPid(bash: Bash, pid: number): void {
  const state = Reflect.get(bash, "state") as { lastBackgroundPid?: unknown } | undefined;
  if (state && typeof state.lastBackgroundPid === "number") state.lastBackgroundPid = pid;
}

/** A shell this one was entered from (ssh). */
interface HostState {
  bash: Bash;
  hostname: string;
  cwd: string;
  env: Record<string, string>;
  lastStatus: number;
}

/** just-bash's commands and the shell's own (the executables in /usr/bin). */
function commandNamesOf(customCommands: BashCommand[]): string[] {
  return [...getCommandNames(), ...customCommands.map((command) => command.name)];
}

/** Names of the commands just-bash provides, for completion and `help`. */
const bashCommandNames = [
  "cat",
  "cp",
  "ls",
  "mkdir",
  "mv",
  "rm",
  "rmdir",
  "touch",
  "tree",
  "ln",
  "stat",
  "file",
  "readlink",
  "awk",
  "base64",
  "column",
  "cut",
  "diff",
  "grep",
  "egrep",
  "fgrep",
  "head",
  "tail",
  "nl",
  "paste",
  "printf",
  "rev",
  "sed",
  "sort",
  "tac",
  "tee",
  "tr",
  "uniq",
  "wc",
  "xargs",
  "fold",
  "expand",
  "comm",
  "join",
  "md5sum",
  "sha256sum",
  "split",
  "jq",
  "yq",
  "gzip",
  "gunzip",
  "zcat",
  "tar",
  "basename",
  "dirname",
  "du",
  "echo",
  "env",
  "export",
  "find",
  "hostname",
  "printenv",
  "pwd",
  "bash",
  "sh",
  "chmod",
  "date",
  "expr",
  "false",
  "seq",
  "sleep",
  "time",
  "timeout",
  "true",
  "which",
  "whoami",
  "source",
  "type",
  "test",
  "read",
  "set",
  "unset",
  "shift",
];

function helpText(names: string[]): string {
  const sorted = [...new Set(names)].filter((name) => !name.startsWith("__")).sort();
  const width = Math.max(...sorted.map((name) => name.length)) + 2;
  const perRow = Math.max(1, Math.floor(78 / width));
  let out =
    "Kubelab shell (bash syntax: pipes, redirection, here-documents, variables, $(...), loops, && and ||, &).\nCommands available:\n\n";
  for (let index = 0; index < sorted.length; index += perRow) {
    out += `  ${sorted
      .slice(index, index + perRow)
      .map((name) => name.padEnd(width))
      .join("")
      .trimEnd()}\n`;
  }
  out +=
    "\n`kubectl` talks to your cluster (alias k=kubectl is preset); `kubectl --help` lists its commands.\nvi, vim and nano open an editor; Ctrl-C stops a running command; `exit` or Ctrl-D closes the shell.\n`cmd &` runs a command in the background (jobs, fg, kill %1, wait); `kubectl port-forward … &` then\n`curl localhost:PORT` reaches the pod from this shell.\n";
  return out;
}

/** just-bash's messages in the words a learner's bash would use. */
function learnerWording(stderr: string): string {
  return stderr
    .replace(/^bash: ([^:\n]+): command not found$/gm, "$1: command not found")
    .replace(
      /too many commands executed \(>(\d+)\), increase executionLimits\.maxCommandCount/g,
      "stopped after $1 commands (a runaway loop?); press Ctrl-C to stop long commands",
    )
    .replace(/, increase executionLimits\.\w+/g, "");
}

/** `sudo [-E] [-H] [-u root] command …` → `command …`; `sudo -i`, `sudo su [-]`, `sudo -s` → "" (already root). */
export function withoutSudo(line: string): string {
  const match = /^\s*sudo((?:\s+-[EHn]+|\s+-u\s+root|\s+--preserve-env)*)(?:\s+(.*))?$/s.exec(line);
  if (!match) return line;
  const rest = (match[2] ?? "").trim();
  if (rest === "" || /^(-i|-s|su(\s+-|\s+root|\s+-\s+root)?|-i\s+-u\s+root)$/.test(rest)) return "";
  return rest;
}

function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

function clusterMarker(kubeconfig: string): string {
  const server = /server:\s*(\S+)/.exec(kubeconfig)?.[1] ?? "";
  const token = /token:\s*(\S+)/.exec(kubeconfig)?.[1] ?? "";
  return `${server}\n${token.slice(-12)}\n`;
}

/** True when bash would ask for more input (open quote, here-document, trailing pipe, open block …). */
export function isIncomplete(text: string): boolean {
  if (/\\$/.test(text)) return true;
  // A line ending in `|`, `&&` or `||` continues on the next (just-bash's parser accepts it as it is).
  if (/(?:\||&&)\s*$/.test(text) && !/(?:^|\s)#[^\n]*$/.test(text)) return true;
  // A here-document is complete only once its terminator line arrived.
  if (hasOpenHereDocument(text)) return true;
  try {
    parse(text);
    return false;
  } catch (error) {
    const message = String((error as Error).message ?? error);
    return (
      /unexpected EOF|unexpected end|unterminated|here-document|expected|missing/i.test(message) &&
      !/unexpected token `[^']+'/.test(message)
    );
  }
}

/**
 * Runs what a learner's first command runs — bash parsing and interpretation, the line's checks,
 * kubeconfig YAML — once on sample input, so V8 has compiled it before anyone types. A pre-started
 * shell does this while it waits for its learner (terminal/shell/main.ts); the first command then
 * no longer pays for it.
 */
export async function warmUp(): Promise<void> {
  for (const stage of warmUpStages()) await stage();
}

/**
 * {@link warmUp} in stages of a few to tens of ms of CPU each, so a pre-started shell whose learner
 * arrives meanwhile prints its prompt after the stage in progress, not after all of them.
 */
export function warmUpStages(): (() => Promise<void> | void)[] {
  return [
    () => {
      const line = 'k get pods -o wide -l app=web --no-headers | grep -v "$HOME" > /tmp/out && echo "done $?"';
      isIncomplete(line);
      simpleCommand(withoutSudo(line));
      plainWords.test(line);
      planStreamingPipeline(expandAliases(line, new Map([["k", "kubectl"]])), () => false);
      decodeKeys("kubectl get pods\x1b[D\t\r", true);
    },
    async () => {
      const kubeconfig = [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: c",
        "  cluster: {server: 'http://127.0.0.1:1'}",
        "contexts:",
        "- name: c",
        "  context:",
        "    cluster: c",
        "    user: u",
        "current-context: c",
        "users:",
        "- name: u",
        "  user: {token: t}",
        "",
      ].join("\n");
      await loadKubeconfig({
        stdout: () => undefined,
        stderr: () => undefined,
        readStdin: async () => "",
        readFile: async () => kubeconfig,
        writeFile: async () => undefined,
        readDirectory: async () => undefined,
        env: { KUBECONFIG: "/warm" },
      });
    },
    async () => {
      const bash = new Bash({ fs: new InMemoryFs(), cwd: "/" });
      await bash.exec(
        'X=$(echo warm | grep -c warm); for i in 1 2; do [ "$X" = 1 ] && printf "%s\\n" ok; done | wc -l',
        {},
      );
    },
  ];
}

/** The ~/.bashrc a new learner's home gets, as a kubeadm lab's root has (killercoda's preset). */
export const defaultBashrc = `# ~/.bashrc: read by the shell when it starts (and by \`source ~/.bashrc\`).

alias k=kubectl
# kubectl's completion is built into this shell: Tab completes commands, flags, resource
# types and object names for kubectl and k (no \`source <(kubectl completion bash)\` needed).
`;

/**
 * just-bash's limits for the learner's scripts. The sizes keep one command line well inside the
 * shell process's heap (96 MB, terminal/server/shellBundle.ts): past them just-bash stops the line
 * with a message (`string length limit exceeded`) instead of V8 ending the process.
 */
const executionLimits = {
  maxLoopIterations: 1_000_000,
  maxCommandCount: 50_000,
  maxCallDepth: 100,
  maxStringLength: 8 * 1024 * 1024,
  maxOutputSize: 8 * 1024 * 1024,
  maxHeredocSize: 8 * 1024 * 1024,
  maxInputBytes: 16 * 1024 * 1024,
  maxLiveBytes: 32 * 1024 * 1024,
  maxArrayElements: 200_000,
  maxFileSystemBytes: 32 * 1024 * 1024,
};

/** Words of a line that may read or change the shell's aliases. */
const aliasWords = /\b(?:alias|unalias|type|source|command|compgen)\b|(?:^|[;&|({]\s*)\.\s/;

/** A line of words bash leaves as they are: characters without a meaning to the shell, blanks between. */
const plainWords = /^[ \t]*[A-Za-z0-9_./=:,@%+-]+(?:[ \t]+[A-Za-z0-9_./=:,@%+-]+)*[ \t]*$/;

/** A line that is one simple command without pipes, redirections or control operators. */
export function simpleCommand(line: string): { name: string; argsText: string } | undefined {
  let script: ReturnType<typeof parse>;
  try {
    script = parse(line);
  } catch {
    return undefined;
  }
  if (script.statements.length !== 1) return undefined;
  const statement = script.statements[0];
  if (!statement || statement.background || statement.pipelines.length !== 1) return undefined;
  const pipeline = statement.pipelines[0];
  if (pipeline?.commands.length !== 1 || pipeline.negated) return undefined;
  const command = pipeline.commands[0];
  if (
    command?.type !== "SimpleCommand" ||
    command.redirections.length > 0 ||
    command.assignments.length > 0 ||
    !command.name
  )
    return undefined;
  const parts = command.name.parts;
  if (parts.length !== 1 || parts[0]?.type !== "Literal") return undefined;
  const name = (parts[0] as { value: string }).value;
  const trimmed = line.trimStart();
  return { name, argsText: trimmed.slice(trimmed.indexOf(name) + name.length) };
}

/**
 * The cursor's column after `text` is written from `column`: printable characters advance it,
 * CR/LF (the pty adds CR to LF), cursor moves and the alternate screen's save/restore move it.
 */
function advanceColumn(column: number, text: string, saved: { column: number }): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control sequences are parsed here
  const token = /\x1b\[([0-9;?]*)([A-Za-z])|\x1b.|[\r\n]|\x08|\t|[^\x00-\x1f\x7f]/gu;
  let at = column;
  let rest = text;
  // Only what follows the last line break moves the column (unless the alternate screen switches).
  const lastBreak = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
  if (lastBreak >= 0 && !text.includes("\x1b[?1049")) {
    at = 0;
    rest = text.slice(lastBreak + 1);
  }
  for (const match of rest.matchAll(token)) {
    const [whole, params, final] = match;
    if (final !== undefined) {
      const n = Number.parseInt((params ?? "").split(";").pop() || "1", 10) || 1;
      if (params === "?1049" && final === "h") saved.column = at;
      else if (params === "?1049" && final === "l") at = saved.column;
      else if (final === "C") at += n;
      else if (final === "D") at = Math.max(0, at - n);
      else if (final === "G") at = n - 1;
      else if (final === "H" || final === "f") at = params?.includes(";") ? n - 1 : 0;
    } else if (whole === "\r" || whole === "\n") at = 0;
    else if (whole === "\x08") at = Math.max(0, at - 1);
    else if (whole === "\t") at = (Math.floor(at / 8) + 1) * 8;
    else if (!whole.startsWith("\x1b")) at++;
  }
  return at;
}
