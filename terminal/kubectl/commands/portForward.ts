import WebSocket from "ws";
import type { Command, CommandContext } from "../Command";
import { KubectlError, plainError, usageError } from "../errors";
import type { LocalConnection, LocalListener } from "../KubectlIO";
import type { KubeObject } from "./common";
import { podsFor } from "./pods";

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}

interface PortPair {
  local: number;
  remote: number;
}

/** `[LOCAL:]REMOTE` with a port name allowed as REMOTE; LOCAL empty (`:80`) asks for a free port. */
function parsePorts(specs: string[]): { local: string; remote: string }[] {
  return specs.map((spec) => {
    const parts = spec.split(":");
    if (parts.length > 2) throw plainError(`invalid port format '${spec}'`);
    const [local, remote] = parts.length === 2 ? (parts as [string, string]) : [spec, spec];
    return { local, remote };
  });
}

function portNumber(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 0 || value > 65535)
    throw plainError(`Error parsing ${what} port '${text}': strconv.ParseUint: parsing "${text}": invalid syntax`);
  return value;
}

/** A named container port of the pod (convertPodNamedPortToNumber). */
function namedPort(pod: KubeObject, name: string): number {
  for (const container of pod.spec?.containers ?? [])
    for (const port of container.ports ?? []) if (port.name === name) return port.containerPort;
  throw plainError(`Pod '${pod.metadata?.name}' does not have a named port '${name}'`);
}

/** translateServicePortToTargetPort: a service port becomes the pod's target port. */
function targetPort(service: KubeObject, pod: KubeObject, remote: string): string {
  const ports: ServicePort[] = service.spec?.ports ?? [];
  const servicePort = /^\d+$/.test(remote)
    ? ports.find((port) => String(port.port) === remote)
    : ports.find((port) => port.name === remote);
  if (!servicePort) throw plainError(`Service ${service.metadata?.name} does not have a service port ${remote}`);
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return String(target);
  if (/^\d+$/.test(target)) return target;
  return String(namedPort(pod, target));
}

/**
 * Forwards one accepted connection over its own port-forward WebSocket (the channel protocol:
 * channel 0 data, channel 1 errors, each opened by the port number).
 */
async function forwardConnection(
  context: CommandContext,
  pod: KubeObject,
  pair: PortPair,
  connection: LocalConnection,
): Promise<void> {
  const client = await context.client();
  const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/portforward?ports=${pair.remote}`;
  const options: Record<string, unknown> = {};
  await client.connection.apply(options as never);
  const socket = new WebSocket(client.server.replace(/^http/, "ws") + path, ["v4.channel.k8s.io"], options);
  const pending: Uint8Array[] = [];
  const seen = new Set<number>();
  let errorText = "";
  connection.onData((data) => {
    const frame = new Uint8Array(data.length + 1);
    frame.set(data, 1);
    if (socket.readyState === WebSocket.OPEN) socket.send(frame);
    else pending.push(frame);
  });
  connection.onClose(() => socket.close());
  socket.on("open", () => {
    for (const frame of pending.splice(0)) socket.send(frame);
  });
  socket.on("message", (message: Buffer) => {
    const channel = message[0] as number;
    const body = message.subarray(1);
    if (!seen.has(channel)) {
      // The first frame of each channel carries the port number.
      seen.add(channel);
      return;
    }
    if (channel === 0) connection.write(body);
    else if (channel === 1) errorText += body.toString("utf8");
  });
  const finish = () => {
    if (errorText) {
      context.io.stderr(
        `error: an error occurred forwarding ${pair.local} -> ${pair.remote}: error forwarding port ${pair.remote} to pod ${pod.metadata?.name}: ${errorText}\n`,
      );
    }
    connection.end();
  };
  socket.on("close", finish);
  socket.on("error", (error) => {
    errorText ||= error.message;
    connection.end();
  });
}

/** `kubectl port-forward`: local listeners whose connections reach a pod's port through the API server. */
export const portForwardCommand: Command = {
  name: "port-forward",
  short: "Forward one or more local ports to a pod",
  use: "port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]",
  flags: [
    {
      name: "address",
      kind: "stringSlice",
      default: ["localhost"],
      usage:
        "Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.",
    },
    {
      name: "pod-running-timeout",
      kind: "string",
      default: "1m0s",
      usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running",
    },
  ],
  async run(context, flags) {
    if (flags.positional.length < 2)
      throw usageError("kubectl port-forward", "TYPE/NAME and list of ports are required for port-forward");
    const [target, ...specs] = flags.positional as [string, ...string[]];
    const [pod] = await podsFor(context, flags, target, "", false);
    if (!pod) return 1;
    const listen = context.io.listen?.bind(context.io);
    if (!listen) {
      throw new KubectlError(
        "error: port-forward needs a local network, which this terminal does not have; use curl from a node (ssh node01) to reach Services and Pods",
      );
    }
    let service: KubeObject | undefined;
    if (/^(svc|service|services)(\/|$)/.test(target)) {
      const client = await context.client();
      const name = target.slice(target.indexOf("/") + 1);
      service = await client.get<KubeObject>(`/api/v1/namespaces/${pod.metadata?.namespace}/services/${name}`);
    }
    const pairs = parsePorts(specs).map(({ local, remote }) => {
      const translated = service
        ? targetPort(service, pod, remote)
        : /^\d+$/.test(remote)
          ? remote
          : String(namedPort(pod, remote));
      return {
        local: local === "" ? 0 : portNumber(local, "local"),
        remote: portNumber(translated, "remote"),
      };
    });
    if (pod.status?.phase !== "Running")
      throw plainError(`unable to forward port because pod is not running. Current status=${pod.status?.phase}`);
    const addresses = flags
      .list("address")
      .flatMap((address) => (address === "localhost" ? ["127.0.0.1", "::1"] : [address]));
    const listeners: LocalListener[] = [];
    for (const pair of pairs) {
      let bound = 0;
      const failures: string[] = [];
      for (const address of addresses) {
        try {
          const listener = await listen(address, pair.local, (connection) => {
            context.io.stdout(`Handling connection for ${pair.local}\n`);
            void forwardConnection(context, pod, pair, connection);
          });
          pair.local = listener.port;
          listeners.push(listener);
          bound++;
          context.io.stdout(
            `Forwarding from ${address.includes(":") ? `[${address}]` : address}:${listener.port} -> ${pair.remote}\n`,
          );
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
      if (bound === 0) {
        for (const listener of listeners) listener.close();
        throw plainError(`unable to listen on any of the requested ports: [{${pair.local} ${pair.remote}}]`);
      }
    }
    // Forward until Ctrl-C, as kubectl does until its stop channel closes; then exit 0.
    await new Promise<void>((done) => {
      if (!context.io.signal || context.io.signal.aborted) return done();
      context.io.signal.addEventListener("abort", () => done(), { once: true });
    });
    for (const listener of listeners) listener.close();
    return 0;
  },
};
