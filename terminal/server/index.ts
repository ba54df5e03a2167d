/** The terminal back end: learner shells in ptys behind a WebSocket. */
export { mountTerminal } from "./mountTerminal";
export { TerminalService } from "./TerminalService";
export type { TerminalServiceOptions } from "./TerminalService";
export { terminalPath, parseClientMessage } from "./protocol";
export type { ClientMessage, ServerMessage } from "./protocol";
export { prepareShellLaunch } from "./shellBundle";
