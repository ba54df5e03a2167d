import { Bash } from "just-bash";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../clock/VirtualClock";
import { NetworkError, type NetworkSource } from "../../proxy/Network";
import { FakeNetwork } from "../FakeNetwork";
import { curlCommand } from "./networkCommands";

const source: NetworkSource = { ip: "10.244.1.5", namespace: "default" };

/** A network whose DNS server never answers (a default-deny egress policy without port 53). */
class SilentDns extends FakeNetwork {
  constructor(private readonly clock: VirtualClock) {
    super();
  }
  override async resolve(): Promise<never> {
    await new Promise((resolve) => this.clock.setTimer(15_000, () => resolve(undefined)));
    throw new NetworkError("Timeout", ";; connection timed out; no servers could be reached");
  }
}

async function curl(network: FakeNetwork, clock: VirtualClock, line: string) {
  const bash = new Bash({ customCommands: [curlCommand(network, source, clock)], defenseInDepth: false });
  const run = bash.exec(line);
  for (let i = 0; i < 40; i++) await clock.advance(1_000);
  return run;
}

describe("curl when DNS does not answer", () => {
  it("gives up resolving at --max-time as curl words it (28)", async () => {
    const clock = new VirtualClock();
    const result = await curl(new SilentDns(clock), clock, "curl -sS -m 2 http://api");
    expect(result.stderr).toBe("curl: (28) Resolving timed out after 2000 milliseconds\n");
    expect(result.exitCode).toBe(28);
  });

  it("without a time limit, ends when the resolver gives up: could not resolve host (6)", async () => {
    const clock = new VirtualClock();
    const result = await curl(new SilentDns(clock), clock, "curl -sS http://api");
    expect(result.stderr).toBe("curl: (6) Could not resolve host: api\n");
    expect(result.exitCode).toBe(6);
  });

  it("still reports a connection that times out after the name resolved", async () => {
    const clock = new VirtualClock();
    const network = new FakeNetwork();
    network.names.set("api", ["10.96.5.5"]);
    network.connect = () => new Promise<never>(() => {});
    const result = await curl(network, clock, "curl -sS -m 2 http://api");
    expect(result.stderr).toBe("curl: (28) Connection timed out after 2000 milliseconds\n");
    expect(result.exitCode).toBe(28);
  });
});
