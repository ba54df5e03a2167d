import { describe, expect, it } from "vitest";
import { certificateTime } from "./certificate";
import { integer, octetString, oid } from "./der";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("DER encoding", () => {
  const cases = [
    { name: "short length", encoded: octetString(Buffer.alloc(127)), prefix: "047f" },
    { name: "one-byte long length", encoded: octetString(Buffer.alloc(200)), prefix: "0481c8" },
    { name: "two-byte long length", encoded: octetString(Buffer.alloc(300)), prefix: "0482012c" },
    { name: "integer drops leading zeros", encoded: integer(Buffer.from([0, 0, 0x7f])), prefix: "02017f" },
    { name: "integer keeps a zero", encoded: integer(Buffer.from([0, 0])), prefix: "020100" },
    {
      name: "integer with the top bit set gets a zero byte",
      encoded: integer(Buffer.from([0x80])),
      prefix: "02020080",
    },
    {
      name: "integer keeps the zero the top bit needs",
      encoded: integer(Buffer.from([0, 0, 0xff])),
      prefix: "020200ff",
    },
    {
      name: "oid ecdsa-with-SHA256 (multi-byte arcs)",
      encoded: oid("1.2.840.10045.4.3.2"),
      prefix: "06082a8648ce3d040302",
    },
    { name: "oid commonName", encoded: oid("2.5.4.3"), prefix: "0603550403" },
    {
      name: "UTCTime up to 2049",
      encoded: certificateTime(Date.UTC(2049, 11, 31, 23, 59, 59)),
      prefix: `170d${Buffer.from("491231235959Z").toString("hex")}`,
    },
    {
      name: "GeneralizedTime from 2050",
      encoded: certificateTime(Date.UTC(2050, 0, 1)),
      prefix: `180f${Buffer.from("20500101000000Z").toString("hex")}`,
    },
  ];
  it.each(cases)("$name", ({ encoded, prefix }) => {
    expect(hex(encoded).startsWith(prefix)).toBe(true);
  });
});
