import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { ReadStream } from "node:tty";
import type { InteractiveTerminal, KubectlIO } from "./KubectlIO";
import { nodeLocalFiles } from "./localFiles";

/** A KubectlIO over the real process: stdout/stderr, the real file system, process.env. */
export function createNodeIO(
  options: {
    signal?: AbortSignal;
    cwd?: string;
    /**
     * The process is a command a user runs (`npx kubelab kubectl`): when its stdin is a terminal,
     * exec/attach/run `-it` put it in raw mode as kubectl does (and `-i` alone edits lines).
     */
    interactive?: boolean;
  } = {},
): KubectlIO {
  const cwd = options.cwd ?? process.cwd();
  const home = process.env.HOME ?? "/root";
  const full = (path: string) => resolve(cwd, path.startsWith("~/") ? `${home}/${path.slice(2)}` : path);
  return {
    cwd,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    readFile: (path) => readFile(full(path), "utf8"),
    async writeFile(path, content) {
      await mkdir(dirname(full(path)), { recursive: true });
      await writeFile(full(path), content);
    },
    async readDirectory(path) {
      try {
        if (!(await stat(full(path))).isDirectory()) return undefined;
        return await readdir(full(path));
      } catch {
        return undefined;
      }
    },
    files: nodeLocalFiles(full),
    env: process.env,
    /**
     * kubectl edit's editor: $KUBE_EDITOR, $EDITOR or vi on a temporary file, run as kubectl's
     * editor package runs it (split on spaces, or through `sh -c` when it has quotes).
     */
    async edit(text, fileName) {
      const folder = await mkdtemp(join(tmpdir(), "kubectl-edit-"));
      const file = join(folder, fileName.replace(/[^\w.-]/g, "-"));
      try {
        await writeFile(file, text);
        const editor = this.env.KUBE_EDITOR || this.env.EDITOR || "vi";
        const [command, ...args] = !editor.includes(" ")
          ? [editor, file]
          : !/["'\\]/.test(editor)
            ? [...editor.split(" "), file]
            : ["sh", "-c", `${editor} ${JSON.stringify(file)}`];
        const status = await new Promise<number>((done, fail) => {
          const child = spawn(command as string, args, { cwd, env: this.env as NodeJS.ProcessEnv, stdio: "inherit" });
          child.on("error", fail);
          child.on("exit", (code) => done(code ?? 1));
        });
        if (status !== 0) throw new Error(`there was a problem with the editor "${editor}"`);
        return await readFile(file, "utf8");
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
    listen(address, port, onConnection) {
      return new Promise((done, fail) => {
        const sockets = new Set<Socket>();
        const server = createServer((socket) => {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.setNoDelay(true);
          let closed = false;
          const closeListeners: (() => void)[] = [];
          const close = () => {
            if (closed) return;
            closed = true;
            for (const listener of closeListeners) listener();
          };
          socket.on("close", close);
          socket.on("error", close);
          onConnection({
            write: (data) => socket.write(data),
            end: () => socket.end(),
            onData: (listener) => socket.on("data", listener),
            onClose: (listener) => closeListeners.push(listener),
          });
        });
        server.once("error", fail);
        server.listen(port, address, () => {
          const bound = server.address();
          done({
            port: typeof bound === "object" && bound ? bound.port : port,
            close: () => {
              server.close();
              for (const socket of sockets) socket.destroy();
            },
          });
        });
      });
    },
    isTerminal: Boolean(process.stdout.isTTY),
    pid: process.pid,
    terminal: options.interactive && process.stdin.isTTY ? processTerminal() : undefined,
    signal: options.signal,
  };
}

/** The process's own terminal, raw while a command listens to its keys (kubectl's term.TTY). */
function processTerminal(): InteractiveTerminal {
  const input = process.stdin as ReadStream;
  const size = () => ({ columns: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 });
  return {
    get columns() {
      return size().columns;
    },
    get rows() {
      return size().rows;
    },
    onInput(listener, mode = "raw") {
      const onData = (data: Buffer) => listener(data.toString("utf8"));
      input.setRawMode(true);
      // libuv's raw mode keeps output processing (ONLCR), so the remote terminal's "\r\n" would
      // reach the screen as "\r\r\n"; Go's term.MakeRaw, which kubectl uses, turns it off too.
      // setRawMode(false) puts back the terminal's settings from before.
      if (mode === "raw") spawnSync("stty", ["-opost"], { stdio: ["inherit", "ignore", "ignore"] });
      input.on("data", onData);
      input.resume();
      return () => {
        input.off("data", onData);
        input.setRawMode(false);
        input.pause();
      };
    },
    onResize(listener) {
      const onResize = () => listener(size().columns, size().rows);
      process.stdout.on("resize", onResize);
      return () => process.stdout.off("resize", onResize);
    },
  };
}
