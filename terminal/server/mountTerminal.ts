import { mountWebSocket, onShutdown } from "../../server/routes";
import { terminalPath } from "./protocol";
import { TerminalService, type TerminalServiceOptions } from "./TerminalService";

/**
 * Mounts the learner terminal on the one-port server at /terminal/<session>. The server checks
 * the learner cookie on upgrade and passes the learner id; sockets without one are refused.
 * Returns the service (for the hosting code to share) and a disposer.
 */
export function mountTerminal(options: TerminalServiceOptions): { service: TerminalService; dispose: () => void } {
  const service = new TerminalService(options);
  void service
    .prepare()
    .catch((error: unknown) => options.log?.(`terminal: could not prepare the shell bundle: ${String(error)}`));
  const unmount = mountWebSocket(terminalPath, (socket, request, context) =>
    service.handle(socket, request, context.learnerId),
  );
  const unhook = onShutdown(() => service.close());
  return {
    service,
    dispose: () => {
      unmount();
      unhook();
      service.close();
    },
  };
}
