import { type AddressInfo, connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { FairTimers } from "./FairTimers";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("FairTimers", () => {
  it("serves due timers of several clusters in turns, in order within a cluster", async () => {
    const fair = new FairTimers();
    const busy = fair.clockFor("busy");
    const quiet = fair.clockFor("quiet");
    const ran: string[] = [];
    for (let index = 0; index < 5; index++) busy.setTimer(0, () => ran.push(`busy-${index}`));
    quiet.setTimer(0, () => ran.push("quiet-0"));
    quiet.setTimer(0, () => ran.push("quiet-1"));
    // Every timer is due by the first timers phase, whatever the load: armed across a millisecond
    // boundary, the first busy ones used to be due (and served) a turn before the quiet ones.
    const until = Date.now() + 5;
    while (Date.now() < until) {}
    while (ran.length < 7) await tick();
    // The quiet cluster does not wait behind the busy one's five callbacks.
    expect(ran.indexOf("quiet-0")).toBeLessThanOrEqual(1);
    expect(ran.indexOf("quiet-1")).toBeLessThanOrEqual(3);
    expect(ran.filter((name) => name.startsWith("busy"))).toEqual(["busy-0", "busy-1", "busy-2", "busy-3", "busy-4"]);
  });

  it("reads sockets between two callbacks (Node's own timers would run both first)", async () => {
    const received: string[] = [];
    const server = createServer((socket) => socket.on("data", () => received.push("io")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((resolve) => client.once("connect", resolve));
    await tick();
    const fair = new FairTimers();
    const clock = fair.clockFor("a");
    clock.setTimer(0, () => {
      received.push("first");
      // A learner's request arrives while this cluster's first callback runs.
      client.write("GET /");
      const until = Date.now() + 20;
      while (Date.now() < until) {}
    });
    clock.setTimer(0, () => received.push("second"));
    while (received.length < 3) await tick();
    client.destroy();
    server.close();
    expect(received).toEqual(["first", "io", "second"]);
  });

  it("a cancelled timer never runs, even when already due and waiting for its turn", async () => {
    const errors: unknown[] = [];
    const fair = new FairTimers((_cluster, error) => errors.push(error));
    const clock = fair.clockFor("a");
    const ran: string[] = [];
    clock.setTimer(0, () => {
      ran.push("first");
      cancel();
      throw new Error("reported, not thrown");
    });
    const cancel = clock.setTimer(0, () => ran.push("cancelled"));
    clock.setTimer(1, () => ran.push("later"));
    while (!ran.includes("later")) await tick();
    expect(ran).toEqual(["first", "later"]);
    expect(String(errors[0])).toMatch(/reported, not thrown/);
    expect(fair.waiting).toBe(0);
    expect(clock.now()).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it("dispose cancels a stopped cluster's timers, due or not, and later ones never fire", async () => {
    const fair = new FairTimers();
    const stopped = fair.clockFor("stopped#1");
    const other = fair.clockFor("other");
    const ran: string[] = [];
    stopped.setTimer(0, () => ran.push("due"));
    stopped.setTimer(60_000, () => ran.push("later"));
    other.setTimer(0, () => ran.push("other"));
    expect(fair.pendingOf("stopped#1")).toBe(2);
    fair.dispose("stopped#1");
    stopped.setTimer(0, () => ran.push("after dispose"));
    while (!ran.includes("other")) await tick();
    await tick();
    expect(ran).toEqual(["other"]);
    expect(fair.pendingOf("stopped#1")).toBe(0);
    expect(fair.pendingOf("other")).toBe(0);
  });

  it("after preferSockets the loop turns without callbacks, so waiting connections are accepted first", async () => {
    const server = createServer((socket) => socket.on("error", () => undefined));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", 64, resolve));
    const fair = new FairTimers();
    const clock = fair.clockFor("busy");
    let callbacks = 0;
    let stop = false;
    // A busy cluster: every callback works 1 ms and arms the next one at once.
    const work = () => {
      callbacks++;
      const until = performance.now() + 1;
      while (performance.now() < until) {}
      if (!stop) clock.setTimer(0, work);
    };
    clock.setTimer(0, work);
    while (callbacks < 3) await new Promise((resolve) => setImmediate(resolve));
    // Each accepted connection asks for the next turns (as ClusterHost does on a connection's first request).
    const atConnection: number[] = [];
    server.on("connection", () => {
      atConnection.push(callbacks);
      fair.preferSockets();
    });
    const count = 40;
    const clients = Array.from({ length: count }, () => connect((server.address() as AddressInfo).port, "127.0.0.1"));
    await Promise.all(clients.map((client) => new Promise((resolve) => client.once("connect", resolve))));
    while (atConnection.length < count) await new Promise((resolve) => setImmediate(resolve));
    stop = true;
    for (const client of clients) client.destroy();
    server.close();
    // Node accepts one connection per turn of the loop: without preferSockets about one callback
    // ran per connection; with it, the 40 connections wait behind at most a couple of callbacks.
    expect(atConnection[count - 1] - atConnection[0]).toBeLessThanOrEqual(6);
    expect(fair.deferred).toBeGreaterThan(0);
  });

  it("a flood of connections slows the clusters' callbacks down but does not stop them", async () => {
    const fair = new FairTimers(undefined, 8);
    const clock = fair.clockFor("a");
    let callbacks = 0;
    const work = () => {
      callbacks++;
      if (callbacks < 5) clock.setTimer(0, work);
    };
    clock.setTimer(0, work);
    // Asked before every turn: one callback runs after every 8 turns without one.
    while (callbacks < 5) {
      fair.preferSockets();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(fair.deferred).toBeGreaterThanOrEqual(4 * 8);
    expect(fair.deferred).toBeLessThanOrEqual(5 * 8 + 2);
  });
});
