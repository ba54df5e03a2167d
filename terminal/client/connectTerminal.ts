import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import type { ClientMessage, ServerMessage } from "../server/protocol";

/** Options of the browser terminal. */
export interface ConnectOptions {
  /** The WebSocket path prefix (default /terminal/). */
  path?: string;
  /** Called when the connection state changes (for the page and for tests). */
  onState?(state: "connecting" | "ready" | "reconnecting" | "exited" | "error"): void;
}

/** A window CustomEvent whose `detail.text` is typed into the connected shell (`detail.accepted` is set when it was). */
export const TERMINAL_INPUT_EVENT = "kubelab:terminal-input";

function sessionId(): string {
  const key = "kubelab-terminal-session";
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem(key, id);
  }
  return id;
}

/**
 * Opens xterm.js in `element` and connects it to the learner's shell over a WebSocket, with
 * resize, reconnect after a network blip (the server keeps the shell and replays recent output)
 * and a fresh shell after `exit`. Returns a disposer.
 */
export function connectTerminal(element: HTMLElement, options: ConnectOptions = {}): () => void {
  const terminal = new Terminal({
    cursorBlink: true,
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 14,
    scrollback: 5000,
    allowProposedApi: false,
    theme: { background: "#0f1420", foreground: "#e6e6e6", cursor: "#e6e6e6" },
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.loadAddon(new WebLinksAddon());
  terminal.open(element);
  try {
    fit.fit();
  } catch {
    // A hidden element has no size yet; the resize observer fits it later.
  }
  let socket: WebSocket | undefined;
  let disposed = false;
  let exited = false;
  let attempt = 0;
  let retryTimer: number | undefined;
  const setState = (state: Parameters<NonNullable<ConnectOptions["onState"]>>[0]) => {
    element.dataset.state = state;
    options.onState?.(state);
  };
  const send = (message: ClientMessage) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };
  const connect = () => {
    if (disposed) return;
    setState(attempt === 0 ? "connecting" : "reconnecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}${options.path ?? "/terminal/"}${sessionId()}?cols=${terminal.cols}&rows=${terminal.rows}`;
    const current = new WebSocket(url);
    socket = current;
    let replaying = false;
    current.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as ServerMessage;
      switch (message.type) {
        case "ready":
          attempt = 0;
          exited = false;
          // On a reconnect the server replays the screen; start from a clean terminal.
          if (message.replayed) {
            terminal.reset();
            replaying = true;
          }
          setState("ready");
          break;
        case "output":
          terminal.write(message.data);
          replaying = false;
          break;
        case "exit":
          exited = true;
          terminal.write("\r\n\x1b[2m[shell exited; press Enter for a new one]\x1b[0m\r\n");
          setState("exited");
          break;
        case "error":
          terminal.write(`\r\n\x1b[31m${message.message}\x1b[0m\r\n`);
          setState("error");
          break;
        case "pong":
          break;
      }
      void replaying;
    };
    current.onclose = () => {
      if (disposed || socket !== current) return;
      if (exited) return;
      attempt++;
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
      setState("reconnecting");
      retryTimer = window.setTimeout(connect, delay);
    };
  };
  const inputListener = terminal.onData((data) => {
    if (exited) {
      if (data === "\r") {
        sessionStorage.removeItem("kubelab-terminal-session");
        exited = false;
        terminal.reset();
        attempt = 0;
        connect();
      }
      return;
    }
    send({ type: "input", data });
  });
  const resizeListener = terminal.onResize(({ cols, rows }) => send({ type: "resize", cols, rows }));
  // The lesson page's Run buttons type into the shell through this window event; `accepted`
  // tells them whether a connected shell took the text.
  const onTypeRequest = (event: Event) => {
    const detail = (event as CustomEvent<{ text?: unknown; accepted?: boolean }>).detail;
    if (typeof detail?.text !== "string" || exited || socket?.readyState !== WebSocket.OPEN) return;
    send({ type: "input", data: detail.text });
    detail.accepted = true;
    terminal.focus();
  };
  window.addEventListener(TERMINAL_INPUT_EVENT, onTypeRequest);
  const observer = new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      // Not laid out yet.
    }
  });
  observer.observe(element);
  connect();
  terminal.focus();
  return () => {
    disposed = true;
    if (retryTimer !== undefined) window.clearTimeout(retryTimer);
    observer.disconnect();
    inputListener.dispose();
    resizeListener.dispose();
    window.removeEventListener(TERMINAL_INPUT_EVENT, onTypeRequest);
    socket?.close();
    terminal.dispose();
  };
}
