import { describe, expect, it } from "vitest";
import { loopbackHostFor, RouteRegistry } from "./routes";

const noop = () => {};

describe("RouteRegistry", () => {
  it("gives the origin its own process reaches the server on, by the interface the server listens on", () => {
    const registry = new RouteRegistry();
    registry.listeningPort = 41234;
    expect(registry.localOrigin()).toBe("http://127.0.0.1:41234");
    registry.loopbackHost = loopbackHostFor("10.1.2.3");
    expect(registry.localOrigin()).toBe("http://10.1.2.3:41234");
    expect([undefined, "0.0.0.0", "::", "::1", "localhost"].map(loopbackHostFor)).toEqual([
      "127.0.0.1",
      "127.0.0.1",
      "[::1]",
      "[::1]",
      "localhost",
    ]);
  });

  it("matches HTTP prefixes on segment boundaries, longest first", () => {
    const registry = new RouteRegistry();
    const clusters = () => "clusters";
    const special = () => "special";
    registry.mountHttp("/clusters/", clusters);
    registry.mountHttp("/clusters/special", special);
    expect(registry.matchHttp("/clusters")).toEqual({ handler: clusters, context: { prefix: "/clusters", path: "/" } });
    expect(registry.matchHttp("/clusters/abc/api/v1")?.context).toEqual({ prefix: "/clusters", path: "/abc/api/v1" });
    expect(registry.matchHttp("/clusters/special/x")?.handler).toBe(special);
    expect(registry.matchHttp("/clustersx")).toBeUndefined();
    expect(registry.matchHttp("/")).toBeUndefined();
  });

  it("refuses a second handler on the same prefix or the root, and unmounts", () => {
    const registry = new RouteRegistry();
    const dispose = registry.mountHttp("/a", noop);
    expect(() => registry.mountHttp("/a/", noop)).toThrow(/already mounted/);
    expect(() => registry.mountHttp("/", noop)).toThrow(/root/);
    dispose();
    expect(registry.matchHttp("/a/b")).toBeUndefined();
  });

  it("tells its connection listeners of each accepted connection until they are removed", () => {
    const registry = new RouteRegistry();
    const heard: unknown[] = [];
    const dispose = registry.onConnection((socket) => heard.push(socket));
    const socket = {} as Parameters<RouteRegistry["connectionAccepted"]>[0];
    registry.connectionAccepted(socket);
    expect(heard).toEqual([socket]);
    dispose();
    registry.connectionAccepted(socket);
    expect(heard).toHaveLength(1);
  });

  it("matches WebSocket paths exactly, or by prefix when they end in a slash", () => {
    const registry = new RouteRegistry();
    const exact = () => "exact";
    const under = () => "under";
    registry.mountWebSocket("/echo", exact);
    registry.mountWebSocket("/terminal/", under);
    expect(registry.matchWebSocket("/echo")).toBe(exact);
    expect(registry.matchWebSocket("/echo/more")).toBeUndefined();
    expect(registry.matchWebSocket("/terminal/abc")).toBe(under);
    expect(registry.matchWebSocket("/terminal")).toBeUndefined();
  });

  it("matches raw upgrade prefixes like HTTP prefixes, separately from HTTP mounts", () => {
    const registry = new RouteRegistry();
    const upgrade = () => "upgrade";
    registry.mountHttp("/clusters", noop);
    const dispose = registry.mountUpgrade("/clusters", upgrade);
    expect(registry.matchUpgrade("/clusters/abc/api/v1/namespaces/default/pods/p/exec")).toEqual({
      handler: upgrade,
      context: { prefix: "/clusters", path: "/abc/api/v1/namespaces/default/pods/p/exec" },
    });
    expect(registry.matchUpgrade("/terminal/x")).toBeUndefined();
    expect(() => registry.mountUpgrade("/clusters/", noop)).toThrow(/already mounted/);
    dispose();
    expect(registry.matchUpgrade("/clusters/abc")).toBeUndefined();
    expect(registry.matchHttp("/clusters/abc")).toBeDefined();
  });

  it("runs shutdown hooks newest first and keeps going past a failing one", async () => {
    const registry = new RouteRegistry();
    const ran: string[] = [];
    const errors: unknown[] = [];
    registry.onShutdown(() => {
      ran.push("first");
    });
    registry.onShutdown(() => {
      throw new Error("boom");
    });
    registry.onShutdown(async () => {
      ran.push("third");
    });
    await registry.runShutdownHooks((error) => errors.push(error));
    expect(ran).toEqual(["third", "first"]);
    expect(errors).toHaveLength(1);
    await registry.runShutdownHooks(() => {});
    expect(ran).toHaveLength(2);
  });
});
