import {
  type Connection,
  type ConnectionHandler,
  type DnsAnswer,
  type Network,
  NetworkError,
  type NetworkSource,
} from "../proxy/Network";

/**
 * A flat network for tests of the kubelet and runtime: listeners by `ip:port`, names from a
 * table, no Services. The real one (engine/proxy) adds kube-proxy's rules and cluster DNS.
 */
export class FakeNetwork implements Network {
  readonly listeners = new Map<string, ConnectionHandler>();
  readonly names = new Map<string, string[]>();

  listen(ip: string, port: number, handler: ConnectionHandler): () => void {
    const key = `${ip}:${port}`;
    this.listeners.set(key, handler);
    return () => {
      if (this.listeners.get(key) === handler) this.listeners.delete(key);
    };
  }

  async connect(source: NetworkSource, host: string, port: number): Promise<Connection> {
    const ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : (await this.resolve(source, host)).addresses[0];
    const handler = this.listeners.get(`${ip}:${port}`);
    if (!handler) throw new NetworkError("ConnectionRefused", `connect ${ip}:${port}: connection refused`);
    const peer = { ip: source.ip, port: 40000 + (port % 1000) };
    return {
      remote: { ip, port },
      http: async (request) => {
        if (!handler.http) throw new NetworkError("ConnectionRefused", "not an HTTP server");
        return handler.http(request, peer);
      },
      tcp: async (data) => {
        if (!handler.tcp) throw new NetworkError("ConnectionRefused", "not a TCP server");
        return handler.tcp(data, peer);
      },
      close() {},
    };
  }

  async resolve(_source: NetworkSource, name: string): Promise<DnsAnswer> {
    const addresses = this.names.get(name);
    if (!addresses) throw new NetworkError("NameNotResolved", `lookup ${name}: NXDOMAIN`);
    return { name, addresses, server: "10.96.0.10" };
  }
}
