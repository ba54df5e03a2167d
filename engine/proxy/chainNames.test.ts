import { describe, expect, it } from "vitest";
import { portProtoHash, servicePortChain } from "./chainNames";
import { base32, sha256 } from "./sha256";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

describe("sha256 and base32", () => {
  const vectors = [
    { input: "", digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { input: "abc", digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    {
      input: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    },
  ];
  for (const v of vectors) {
    it(`sha256(${JSON.stringify(v.input)})`, () => {
      expect(hex(sha256(new TextEncoder().encode(v.input)))).toBe(v.digest);
    });
  }
  it("base32 pads as Go's StdEncoding", () => {
    expect(base32(new TextEncoder().encode("foobar"))).toBe("MZXW6YTBOI======");
  });
});

describe("kube-proxy chain names", () => {
  const cases = [
    { spn: "kube-system/kube-dns:dns", protocol: "udp", chain: "KUBE-SVC-TCOU7JCQXEZGVUNU" },
    { spn: "default/kubernetes:https", protocol: "tcp", chain: "KUBE-SVC-NPX46M4PTMTKRN6Y" },
  ];
  for (const c of cases) {
    it(`${c.spn} ${c.protocol}`, () => {
      expect(servicePortChain(c.spn, c.protocol)).toBe(c.chain);
      expect(portProtoHash(c.spn, c.protocol)).toHaveLength(16);
    });
  }
});
