/**
 * The terminal's WebSocket, opened by a tiny inline script in the lesson page's HTML (right after
 * the terminal's element) instead of after React has hydrated and xterm.js has loaded: the
 * learner's shell is found or started on the server, and its prompt travels, while the browser
 * still loads the page's JavaScript. What arrives is kept in order until `connectTerminal()` adopts
 * the socket and writes it to xterm. Nothing is painted from here: the prompt on screen is the one
 * the shell sent.
 *
 * The script is plain ES2017 text (not a serialized function, which the bundler would rewrite), so
 * the server's HTML and the client's hydration carry the same characters.
 */

/** The sessionStorage key of this tab's terminal session id (a reload reattaches to the same shell). */
export const SESSION_KEY = "kubelab-terminal-session";

/** The global the inline script leaves for `connectTerminal()`. */
export const EARLY_GLOBAL = "__kubelabEarlyTerminal";

/** Font and size xterm is given (connectTerminal.ts); the inline script measures a cell with them. */
export const TERMINAL_FONT_FAMILY = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace';
export const TERMINAL_FONT_SIZE = 14;
/** The width xterm keeps for its scroll bar (the fit addon's default). */
const SCROLL_BAR_WIDTH = 14;
/** The root font size in px (1rem), for the site header's 3.2rem in app/globals.css. */
const ROOT_FONT_SIZE = 16;

/** What the inline script leaves on `window[EARLY_GLOBAL]`. */
export interface EarlyTerminal {
  /** The terminal session id the socket was opened for. */
  id: string;
  socket: WebSocket;
  /** Text frames received before `connectTerminal()` took the socket, in order. */
  messages: string[];
  /** The size asked for in the socket's URL (an estimate of what xterm will fit). */
  cols: number;
  rows: number;
}

/** A new random terminal session id (24 hex digits), as the server's session id pattern expects. */
export function newSessionId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The inline script, placed at the start of the lesson page's `<main>` so that it runs before the
 * parser reaches the lesson's text. The columns and rows in the socket's URL are an estimate made
 * without laying the page out (measuring the terminal's element would force the page's first
 * layout before the socket even opens): one cell of xterm's font measured on a canvas, over the
 * terminal column's share of the window (app/globals.css `.lesson-layout`). `connectTerminal()`
 * sends xterm's fitted size when it differs. Any failure leaves no global, and `connectTerminal()`
 * connects as it always did.
 */
export const earlyTerminalScript = `(function () {
  try {
    if (!window.WebSocket || !window.sessionStorage) return;
    var id = sessionStorage.getItem(${JSON.stringify(SESSION_KEY)});
    if (!id || !/^[0-9a-f]{24}$/.test(id)) {
      id = Array.from(crypto.getRandomValues(new Uint8Array(12)), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      sessionStorage.setItem(${JSON.stringify(SESSION_KEY)}, id);
    }
    var cols = 80, rows = 24;
    var context = document.createElement("canvas").getContext("2d");
    if (context) {
      context.font = "${TERMINAL_FONT_SIZE}px " + ${JSON.stringify(TERMINAL_FONT_FAMILY)};
      var metrics = context.measureText("W");
      var cellWidth = metrics.width;
      var cellHeight = (metrics.fontBoundingBoxAscent || 0) + (metrics.fontBoundingBoxDescent || 0) || ${TERMINAL_FONT_SIZE} * 1.2;
      var wide = innerWidth > 900;
      var width = (wide ? innerWidth / 2 : innerWidth) - ${SCROLL_BAR_WIDTH};
      var height = wide ? innerHeight - 3.2 * ${ROOT_FONT_SIZE} : innerHeight * 0.6;
      if (cellWidth > 0) cols = Math.max(2, Math.min(500, Math.floor(width / cellWidth)));
      if (cellHeight > 0) rows = Math.max(2, Math.min(300, Math.floor(height / Math.ceil(cellHeight))));
    }
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(scheme + "//" + location.host + "/terminal/" + id + "?cols=" + cols + "&rows=" + rows);
    var early = { id: id, socket: socket, messages: [], cols: cols, rows: rows };
    var marked = false;
    socket.onmessage = function (event) {
      var data = String(event.data);
      if (!marked && data.indexOf('"type":"output"') >= 0 && window.performance && performance.mark) {
        marked = true;
        performance.mark("kubelab:terminal-first-output");
      }
      early.messages.push(data);
    };
    window[${JSON.stringify(EARLY_GLOBAL)}] = early;
    if (window.performance && performance.mark) performance.mark("kubelab:terminal-socket-opened-early");
  } catch (error) {
    // connectTerminal() opens the socket itself.
  }
})();`;

/**
 * Takes the socket the inline script opened for session `id`, once: undefined when there is none,
 * it is for another session, or it has already closed (connectTerminal then opens its own).
 */
export function takeEarlyTerminal(id: string): EarlyTerminal | undefined {
  const holder = window as unknown as Record<string, EarlyTerminal | undefined>;
  const early = holder[EARLY_GLOBAL];
  if (!early) return undefined;
  holder[EARLY_GLOBAL] = undefined;
  const usable =
    early.id === id && (early.socket.readyState === WebSocket.CONNECTING || early.socket.readyState === WebSocket.OPEN);
  if (!usable) {
    early.socket.close();
    return undefined;
  }
  return early;
}
