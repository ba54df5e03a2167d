/** The terminal back end: learner shells in ptys behind a WebSocket. */
export { mountTerminal } from "./mountTerminal";
export type { ClientMessage, ServerMessage } from "./protocol";
export { parseClientMessage, terminalPath } from "./protocol";
export { prepareShellLaunch } from "./shellBundle";
export type { TerminalServiceOptions } from "./TerminalService";
export { TerminalService } from "./TerminalService";
