import { FitAddon } from "@xterm/addon-fit";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal } from "@xterm/xterm";
import type { ClientMessage, ServerMessage } from "../server/protocol";
import { type EarlyTerminal, newSessionId, openHydrationGate, SESSION_KEY, takeEarlyTerminal } from "./earlyConnect";

/** xterm's font and size. */
const TERMINAL_FONT_FAMILY = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace';
const TERMINAL_FONT_SIZE = 14;

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
  let id = sessionStorage.getItem(SESSION_KEY);
  if (!id || !/^[0-9a-f]{24}$/.test(id)) {
    id = newSessionId();
    sessionStorage.setItem(SESSION_KEY, id);
  }
  return id;
}

/** A performance mark for the lesson page bench (bench/terminal.ts) and the browser test. */
function mark(name: string): void {
  if (typeof window !== "undefined") performance.mark?.(`kubelab:${name}`);
}
mark("xterm-code-evaluated");

/**
 * Opens xterm.js in `element` and connects it to the learner's shell over a WebSocket, with
 * resize, reconnect after a network blip (the server keeps the shell and replays recent output)
 * and a fresh shell after `exit`. The first connection adopts the socket the page's inline script
 * opened while the page loaded (earlyConnect.ts), with what it has received so far. Returns a disposer.
 */
export function connectTerminal(element: HTMLElement, options: ConnectOptions = {}): () => void {
  const terminal = new Terminal({
    cursorBlink: true,
    fontFamily: TERMINAL_FONT_FAMILY,
    fontSize: TERMINAL_FONT_SIZE,
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
  mark("xterm-open");
  /** xterm's size, on the element for tests. */
  const showSize = () => {
    element.dataset.cols = String(terminal.cols);
    element.dataset.rows = String(terminal.rows);
  };
  showSize();
  let socket: WebSocket | undefined;
  let disposed = false;
  let exited = false;
  let attempt = 0;
  let retryTimer: number | undefined;
  let firstOutput = true;
  const setState = (state: Parameters<NonNullable<ConnectOptions["onState"]>>[0]) => {
    element.dataset.state = state;
    options.onState?.(state);
    // No prompt is coming from this socket (an exit, an error, a lost connection): the page need
    // not wait for one before it hydrates.
    if (state === "exited" || state === "error" || state === "reconnecting") openHydrationGate();
  };
  const send = (message: ClientMessage) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };
  const connect = () => {
    if (disposed) return;
    setState(attempt === 0 ? "connecting" : "reconnecting");
    const id = sessionId();
    // The page's inline script opened the first socket while the page loaded; later ones are ours.
    const early: EarlyTerminal | undefined = attempt === 0 ? takeEarlyTerminal(id) : undefined;
    element.dataset.earlySocket = early ? "adopted" : "none";
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const current =
      early?.socket ??
      new WebSocket(
        `${scheme}//${location.host}${options.path ?? "/terminal/"}${id}?cols=${terminal.cols}&rows=${terminal.rows}`,
      );
    /** The size the socket's URL asked for (none for the early socket); xterm's fitted size is sent when it differs. */
    const asked = early ? undefined : { cols: terminal.cols, rows: terminal.rows };
    socket = current;
    const receive = (data: string) => {
      const message = JSON.parse(data) as ServerMessage;
      switch (message.type) {
        case "ready":
          attempt = 0;
          exited = false;
          // On a reconnect the server replays the screen; start from a clean terminal.
          if (message.replayed) terminal.reset();
          if (asked?.cols !== terminal.cols || asked?.rows !== terminal.rows)
            send({ type: "resize", cols: terminal.cols, rows: terminal.rows });
          setState("ready");
          break;
        case "output":
          if (firstOutput) {
            firstOutput = false;
            // The inline script marks output that arrived before xterm was open.
            if (performance.getEntriesByName?.("kubelab:terminal-first-output").length === 0)
              mark("terminal-first-output");
            terminal.write(message.data, () => {
              mark("terminal-first-output-parsed");
              // Next hydrates the page once the frame that shows the prompt has been rendered: after
              // the frame that follows it (the first a requestAnimationFrame poll sees the prompt in).
              const rendered = terminal.onRender(() => {
                rendered.dispose();
                requestAnimationFrame(() => window.setTimeout(openHydrationGate));
              });
            });
          } else terminal.write(message.data);
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
    };
    current.onmessage = (event) => receive(String(event.data));
    current.onclose = () => {
      if (disposed || socket !== current) return;
      if (exited) return;
      attempt++;
      const delay = Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
      setState("reconnecting");
      retryTimer = window.setTimeout(connect, delay);
    };
    if (early) {
      mark("terminal-socket-adopted");
      for (const data of early.messages.splice(0)) receive(data);
    }
  };
  const inputListener = terminal.onData((data) => {
    if (exited) {
      if (data === "\r") {
        sessionStorage.removeItem(SESSION_KEY);
        exited = false;
        terminal.reset();
        attempt = 0;
        connect();
      }
      return;
    }
    send({ type: "input", data });
  });
  const resizeListener = terminal.onResize(({ cols, rows }) => {
    showSize();
    send({ type: "resize", cols, rows });
  });
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
