import { describe, expect, it } from "vitest";
import { candidateNames, clusterFirstResolvConf } from "./ClusterDns";

describe("stub resolver search order", () => {
  const config = clusterFirstResolvConf("shop");
  const cases = [
    {
      name: "short names try the search domains first",
      query: "web",
      expected: ["web.shop.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"],
    },
    {
      name: "four dots are still under ndots:5",
      query: "web.shop.svc.cluster.local",
      expected: [
        "web.shop.svc.cluster.local.shop.svc.cluster.local",
        "web.shop.svc.cluster.local.svc.cluster.local",
        "web.shop.svc.cluster.local.cluster.local",
        "web.shop.svc.cluster.local",
      ],
    },
    {
      name: "a trailing dot means exactly that name",
      query: "web.shop.svc.cluster.local.",
      expected: ["web.shop.svc.cluster.local"],
    },
    {
      name: "five dots go out as they are first",
      query: "a.b.c.d.e.f",
      expected: [
        "a.b.c.d.e.f",
        "a.b.c.d.e.f.shop.svc.cluster.local",
        "a.b.c.d.e.f.svc.cluster.local",
        "a.b.c.d.e.f.cluster.local",
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(candidateNames(c.query, config)).toEqual(c.expected));
  }

  it("writes resolv.conf as the kubelet does for ClusterFirst", () => {
    expect(config).toEqual({
      nameservers: ["10.96.0.10"],
      searches: ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"],
      ndots: 5,
    });
  });
});
