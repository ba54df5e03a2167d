import type { StreamSession } from "../KubeletConnection";
import type { MessageSocket } from "./types";

/**
 * The WebSocket channel protocols of exec and attach (apiserver/pkg/util/wsstream and
 * client-go/tools/remotecommand): every binary message starts with a channel byte — 0 stdin,
 * 1 stdout, 2 stderr, 3 error, 4 resize — and v5 adds a close message `[255, channel]`.
 */

export const CHANNEL_PROTOCOLS = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v3.channel.k8s.io",
  "v2.channel.k8s.io",
  "channel.k8s.io",
];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** Picks the first protocol the client offers that we speak, in the client's order (as upstream's handshake). */
export function chooseProtocol(offered: string[], supported: string[]): string | undefined {
  for (const protocol of offered) if (supported.includes(protocol)) return protocol;
  return undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(channel: number, data: Uint8Array): Uint8Array {
  const message = new Uint8Array(data.length + 1);
  message[0] = channel;
  message.set(data, 1);
  return message;
}

const internalErrorPrefix = /^Internal error occurred: /;

/** The error-channel payload for a finished command: a Status for v4+, plain text before. */
export function exitMessage(
  protocol: string,
  result: { exitCode: number } | { error: string },
  command: string[] | undefined,
): Uint8Array | undefined {
  const structured = protocol === "v4.channel.k8s.io" || protocol === "v5.channel.k8s.io";
  if ("error" in result) {
    if (!structured) return encoder.encode(result.error);
    // The kubelet's streaming server wraps a runtime failure in apierrors.NewInternalError.
    const internal = internalErrorPrefix.test(result.error)
      ? {
          reason: "InternalError",
          details: { causes: [{ message: result.error.replace(internalErrorPrefix, "") }] },
          code: 500,
        }
      : {};
    return encoder.encode(JSON.stringify({ metadata: {}, status: "Failure", message: result.error, ...internal }));
  }
  if (result.exitCode === 0) {
    return structured ? encoder.encode(JSON.stringify({ metadata: {}, status: "Success" })) : undefined;
  }
  const what = command
    ? `error executing command [${command.join(" ")}], exit code ${result.exitCode}`
    : `exit code ${result.exitCode}`;
  const message = `command terminated with non-zero exit code: ${what}`;
  if (!structured) return encoder.encode(message);
  return encoder.encode(
    JSON.stringify({
      metadata: {},
      status: "Failure",
      message,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: String(result.exitCode) }] },
    }),
  );
}

/**
 * Bridges a running exec/attach session to the client's socket until the process exits or the
 * client goes away. Returns a disposer (used when the transport shuts down).
 */
export function bridgeSession(
  socket: MessageSocket,
  session: StreamSession,
  command?: string[],
  streams: { stdout: boolean; stderr: boolean } = { stdout: true, stderr: true },
): () => void {
  const protocol = socket.protocol;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    socket.close(1000);
  };
  // Only the streams the client asked for exist; clients fail on data for a stream they did not open.
  session.onStdout((data) => {
    if (!finished && streams.stdout) socket.send(frame(STDOUT, data));
  });
  session.onStderr((data) => {
    if (!finished && streams.stderr) socket.send(frame(STDERR, data));
  });
  session.onExit((result) => {
    if (finished) return;
    const message = exitMessage(protocol, result, command);
    if (message) socket.send(frame(ERROR, message));
    finish();
  });
  socket.onMessage((data) => {
    if (data.length === 0) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === STDIN) {
      if (payload.length > 0) session.writeStdin(payload);
    } else if (channel === RESIZE) {
      try {
        const size = JSON.parse(decoder.decode(payload)) as { Width?: number; Height?: number };
        if (typeof size.Width === "number" && typeof size.Height === "number") session.resize(size.Width, size.Height);
      } catch {
        // A malformed resize is ignored, as the kubelet ignores it.
      }
    } else if (channel === CLOSE && protocol === "v5.channel.k8s.io" && payload[0] === STDIN) {
      session.closeStdin();
    }
  });
  socket.onClose(() => {
    if (!finished) {
      finished = true;
      session.kill();
    }
  });
  return () => {
    if (!finished) {
      finished = true;
      session.kill();
      socket.close(1001);
    }
  };
}

/**
 * The legacy WebSocket port-forward protocol (client-node's PortForward): per port, channel 2i
 * carries data and 2i+1 errors; the first message on each channel is the port, two bytes little-endian.
 */
export function bridgePortForward(socket: MessageSocket, ports: number[], sessions: StreamSession[]): () => void {
  let finished = false;
  ports.forEach((port, index) => {
    const portBytes = new Uint8Array([port & 0xff, (port >> 8) & 0xff]);
    socket.send(frame(index * 2, portBytes));
    socket.send(frame(index * 2 + 1, portBytes));
    const session = sessions[index];
    session.onStdout((data) => {
      if (!finished) socket.send(frame(index * 2, data));
    });
    session.onStderr((data) => {
      if (!finished) socket.send(frame(index * 2 + 1, data));
    });
    session.onExit((result) => {
      if (!finished && "error" in result) socket.send(frame(index * 2 + 1, encoder.encode(result.error)));
    });
  });
  socket.onMessage((data) => {
    if (data.length === 0) return;
    const channel = data[0];
    if (channel % 2 !== 0) return;
    const session = sessions[channel / 2];
    if (session && data.length > 1) session.writeStdin(data.subarray(1));
  });
  const stop = () => {
    if (finished) return;
    finished = true;
    for (const session of sessions) session.kill();
  };
  socket.onClose(stop);
  return () => {
    stop();
    socket.close(1001);
  };
}
