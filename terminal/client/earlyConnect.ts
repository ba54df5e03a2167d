/**
 * The terminal's WebSocket, opened by a tiny inline script at the start of the lesson page's
 * `<main>` (only the site header precedes it) instead of after React has hydrated and xterm.js has
 * loaded: the learner's shell is found or started on the server, and its prompt travels, while the
 * browser still parses and loads the page. What arrives is kept in order until `connectTerminal()`
 * adopts the socket and writes it to xterm (the terminal's own script, right after the terminal's
 * element: standalone.ts). Nothing is painted from here: the prompt on screen is the one the
 * shell sent.
 *
 * The script also holds back Next's hydration until the terminal's first output is on screen (at
 * most {@link HYDRATION_GATE_TIMEOUT_MS}). The browser hands a WebSocket's handshake and each of
 * its messages to the page only when the main thread has nothing more urgent to do, and while the
 * page loads something always is: measured in Chromium traces, the prompt reached the page right
 * after Next's runtime had started and React had hydrated (~130 ms of script on the 2-core bench
 * machine), not when it arrived. The gate is Next's own `beforeInteractive` queue (`self.__next_s`,
 * what `<Script strategy="beforeInteractive">` writes), which Next's bootstrap loads, in order,
 * before it requires React and hydrates: the entry pushed here is a `<script>` of a type the
 * browser does not run, so it never loads by itself, and the gate fires its `load` when the
 * terminal calls {@link openHydrationGate}, or at the learner's first press of a pointer or a key
 * (React is then hydrating when the click that follows arrives, and handles it). The lesson's text
 * is server-rendered and readable meanwhile.
 *
 * The script is plain ES2017 text (not a serialized function, which the bundler would rewrite), so
 * the server's HTML and the client's hydration carry the same characters.
 */

/** The sessionStorage key of this tab's terminal session id (a reload reattaches to the same shell). */
export const SESSION_KEY = "kubelab-terminal-session";

/** The global the inline script leaves for `connectTerminal()`. */
export const EARLY_GLOBAL = "__kubelabEarlyTerminal";

/** The function the inline script leaves to let Next hydrate the page: {@link openHydrationGate}. */
const HYDRATION_GATE_GLOBAL = "__kubelabOpenHydrationGate";

/** Hydration waits at most this long for the terminal's first screen (a slow first visit, a broken socket). */
export const HYDRATION_GATE_TIMEOUT_MS = 1_500;

/** The global the terminal's script (standalone.ts) defines: {@link TerminalApi}. */
export const TERMINAL_API_GLOBAL = "kubelabTerminal";

/** What the terminal's script (xterm.js and connectTerminal, built apart from Next's bundles) offers the page. */
export interface TerminalApi {
  connect(element: HTMLElement): () => void;
  /** The terminal the script opened on load in the page's terminal element, until the page takes it over. */
  opened?: { host: HTMLElement; dispose: () => void };
}

/** What the inline script leaves on `window[EARLY_GLOBAL]`. */
export interface EarlyTerminal {
  /** The terminal session id the socket was opened for. */
  id: string;
  socket: WebSocket;
  /** Text frames received before `connectTerminal()` took the socket, in order. */
  messages: string[];
}

/** A new random terminal session id (24 hex digits), as the server's session id pattern expects. */
export function newSessionId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The socket script. Its URL asks for no size: the shell starts at 80×24 and `connectTerminal()`
 * sends xterm's fitted size as soon as it has opened. Estimating the size here cost the script
 * 40–130 ms before the socket opened: a font measured on a canvas (the page's first use of fonts),
 * or the window's size read (it forces the page's first layout). Any failure leaves no global, and
 * `connectTerminal()` opens its own socket.
 */
export const earlyTerminalScript = `(function () {
  try {
    if (!window.WebSocket || !window.sessionStorage) return;
    var id = sessionStorage.getItem(${JSON.stringify(SESSION_KEY)});
    if (!id || !/^[0-9a-f]{24}$/.test(id)) {
      id = Array.from(crypto.getRandomValues(new Uint8Array(12)), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      sessionStorage.setItem(${JSON.stringify(SESSION_KEY)}, id);
    }
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(scheme + "//" + location.host + "/terminal/" + id);
    var early = { id: id, socket: socket, messages: [] };
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
    var gate = { open: false, element: null };
    var release = function () {
      var element = gate.element;
      if (!gate.open || !element) return;
      gate.element = null;
      watcher.disconnect();
      element.dispatchEvent(new Event("load"));
    };
    var watcher = new MutationObserver(function () {
      if (gate.element) return;
      gate.element = document.head.querySelector("script[data-kubelab-hydration-gate]");
      release();
    });
    watcher.observe(document.head, { childList: true });
    window[${JSON.stringify(HYDRATION_GATE_GLOBAL)}] = function () {
      if (gate.open) return;
      gate.open = true;
      if (window.performance && performance.mark) performance.mark("kubelab:hydration-gate-opened");
      release();
    };
    setTimeout(window[${JSON.stringify(HYDRATION_GATE_GLOBAL)}], ${HYDRATION_GATE_TIMEOUT_MS});
    // A learner who reaches for the page (a button, a key) wants it working now: React hydrates at
    // once, and the click that follows the press finds its handlers.
    document.addEventListener("pointerdown", window[${JSON.stringify(HYDRATION_GATE_GLOBAL)}], { capture: true, once: true });
    document.addEventListener("keydown", window[${JSON.stringify(HYDRATION_GATE_GLOBAL)}], { capture: true, once: true });
    (self.__next_s = self.__next_s || []).push(["data:,", { type: "text/x-kubelab-hydration-gate", "data-kubelab-hydration-gate": "" }]);
  } catch (error) {
    // connectTerminal() opens its own socket.
  }
})();`;

/**
 * Lets Next hydrate the page (a no-op when it already may, or on a page without the inline script).
 * The terminal calls it once its first output is on screen, or when it gives up connecting.
 */
export function openHydrationGate(): void {
  const open = (window as unknown as Record<string, (() => void) | undefined>)[HYDRATION_GATE_GLOBAL];
  open?.();
}

const LOADING_GLOBAL = "__kubelabTerminalLoading";

/**
 * The terminal's script, loaded once per tab: already run (a full page load runs it from the
 * page's HTML), or inserted now (a client-side navigation: React does not run scripts it renders).
 */
export function loadTerminalApi(scriptUrl: string): Promise<TerminalApi> {
  const holder = window as unknown as Record<string, unknown>;
  const loaded = holder[TERMINAL_API_GLOBAL] as TerminalApi | undefined;
  if (loaded) return Promise.resolve(loaded);
  const loading = holder[LOADING_GLOBAL] as Promise<TerminalApi> | undefined;
  if (loading) return loading;
  const promise = new Promise<TerminalApi>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = scriptUrl;
    script.addEventListener("load", () => {
      const api = holder[TERMINAL_API_GLOBAL] as TerminalApi | undefined;
      if (api) resolve(api);
      else reject(new Error("the terminal's script did not start"));
    });
    script.addEventListener("error", () => reject(new Error(`could not load ${scriptUrl}`)));
    document.head.appendChild(script);
  });
  holder[LOADING_GLOBAL] = promise;
  // A failed load may be tried again (the next lesson page).
  promise.catch(() => {
    holder[LOADING_GLOBAL] = undefined;
  });
  return promise;
}

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
