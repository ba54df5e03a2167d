import type { Connection } from "./kubeconfig";

/**
 * Everything a kubectl run needs from its host: output streams, files (the learner's virtual
 * file system in the shell, the real one in the CLI), environment, cancellation and, for
 * interactive commands, a terminal.
 */
export interface KubectlIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  /** Reads a file; relative paths are relative to the working directory. */
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<void>;
  /** Lists a directory's entries (names), or undefined when the path is not a directory. */
  readDirectory(path: string): Promise<string[] | undefined>;
  /** Byte-level access to the local files, for `kubectl cp` (absent: cp says it cannot copy). */
  files?: LocalFiles;
  env: Record<string, string | undefined>;
  /** The working directory relative paths are read against (Go's filepath.Abs uses it: `config set-credentials`). */
  cwd?: string;
  /** Aborted on Ctrl-C; streaming commands stop and return. */
  signal?: AbortSignal;
  /** Opens an editor on text and returns the edited text (kubectl edit), or undefined if unavailable. */
  edit?(text: string, fileName: string): Promise<string | undefined>;
  /** A raw terminal for `exec -it` / `attach -it` / `run -it`, when attached to one. */
  terminal?: InteractiveTerminal;
  /**
   * Listens on a local TCP address for `port-forward` (port 0: a free one). Absent where there
   * is no local network (the learner's shell).
   */
  listen?(address: string, port: number, onConnection: (connection: LocalConnection) => void): Promise<LocalListener>;
  /** True when stdout is a terminal (kubectl colours some output only then). */
  isTerminal?: boolean;
  /** Current time, injectable for tests. */
  now?(): Date;
  /** The process id klog lines name (absent in the learner's shell, which has no processes). */
  pid?: number;
  /**
   * The cluster's API server at the addresses a node reaches it by (the server of kubeadm's
   * admin.conf, kubelet.conf …, in the node shells): for a connection to such a server, with the
   * kubeconfig's credentials, one that reaches it; else undefined (terminal/node/clusterApiEndpoint.ts).
   */
  clusterApi?: {
    connect(
      connection: Connection,
      credentials: { certificate?: Buffer; key?: Buffer; token?: string },
    ): Promise<Connection | undefined>;
  };
}

/** A raw-mode terminal a command can take over (keystrokes in, bytes out, size). */
export interface InteractiveTerminal {
  columns: number;
  rows: number;
  /**
   * Subscribes to keystrokes; returns a disposer. `raw` (exec/attach `-it`): output goes to the
   * screen unprocessed, as kubectl's raw terminal does; else the command echoes and edits lines
   * itself (`-i` alone) and output keeps the terminal's usual "\n" → "\r\n".
   */
  onInput(listener: (data: string) => void, mode?: "raw" | "lines"): () => void;
  /** Subscribes to size changes; returns a disposer. */
  onResize(listener: (columns: number, rows: number) => void): () => void;
}

/** One accepted local TCP connection (port-forward). */
export interface LocalConnection {
  write(data: Uint8Array): void;
  end(): void;
  onData(listener: (data: Uint8Array) => void): void;
  /** Called once when the peer closes or the connection fails. */
  onClose(listener: () => void): void;
}

/** A listening local socket. */
export interface LocalListener {
  /** The port it listens on (the chosen one when 0 was asked for). */
  port: number;
  close(): void;
}

/** What `kubectl cp` reads and writes locally; relative paths are relative to the working directory. */
export interface LocalFiles {
  /** lstat: undefined when nothing is there. */
  stat(path: string): Promise<LocalFileInfo | undefined>;
  readBytes(path: string): Promise<Uint8Array>;
  /** Creates or replaces a file. */
  writeBytes(path: string, data: Uint8Array): Promise<void>;
  /** A directory's entry names. */
  list(path: string): Promise<string[]>;
  /** mkdir -p. */
  mkdir(path: string): Promise<void>;
  readLink(path: string): Promise<string>;
}

export interface LocalFileInfo {
  type: "file" | "directory" | "symlink" | "other";
  /** Permission bits. */
  mode: number;
  mtimeMs: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
}
