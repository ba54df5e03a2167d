import { describe, expect, it } from "vitest";
import { nodeIp, podCidr, podSubnetPrefix } from "./nodeObject";

const octets = (address: string) => address.split("/")[0]?.split(".").map(Number) ?? [];

describe("node addresses", () => {
  it("keep kubeadm's and kind's look for the nodes of a lesson's cluster", () => {
    expect(nodeIp(0)).toBe("192.168.0.2");
    expect(nodeIp(1)).toBe("192.168.0.3");
    expect(podCidr(0)).toBe("10.244.0.0/24");
    expect(podCidr(2)).toBe("10.244.2.0/24");
    expect(podCidr(255)).toBe("10.244.255.0/24");
  });

  it("stay valid and distinct for every node of a 32,768-node cluster, clear of the Services' 10.96.0.0/12", () => {
    const ips = new Set<string>();
    const cidrs = new Set<string>();
    for (let index = 0; index < 32_768; index++) {
      const ip = nodeIp(index);
      const cidr = podCidr(index);
      for (const octet of [...octets(ip), ...octets(cidr)]) expect(octet >= 0 && octet <= 255).toBe(true);
      const [, second] = octets(cidr);
      expect(second).toBeGreaterThanOrEqual(128);
      expect(cidr.startsWith(podSubnetPrefix(index))).toBe(true);
      ips.add(ip);
      cidrs.add(cidr);
    }
    expect(ips.size).toBe(32_768);
    expect(cidrs.size).toBe(32_768);
    // Past the 256th node: on from 10.245.0.0, and the 1,181st node (where a 5,000-node cluster's
    // CoreDNS once landed on 10.244.1180.2) has a real /24.
    expect(podCidr(256)).toBe("10.245.0.0/24");
    expect(podCidr(1180)).toBe("10.248.156.0/24");
    expect(nodeIp(1180)).toBe("192.168.4.158");
    expect(podCidr(3072)).toBe("10.128.0.0/24");
  });
});
