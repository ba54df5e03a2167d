import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readTar, type TarEntry, writeTar } from "./tarArchive";

// Archives written by GNU tar 1.34 (`--format=pax|gnu|ustar`) of a member with a 155-byte path
// and a binary file, gzipped and base64-encoded.
const pax =
  "H4sIAAAAAAACA+3X0U7DIBQGYK77FDwBPVAO1Ivde7lXQNu4JVrNhklfac/hgykzmmw1bllCG13/74aGXtAWfk5R5TL0t21o2s22bLIQQ5Q4az/bZNimm0Zoy8Z6T3bfbxxVJGQvJvC6jWGTHkXMkyEZ4vqpXWj/PRtFRfL+q+/GEWvNWtU1W2drUxcCrkieyJcnx9gvKs/8e/7T9XH+mdgJyf8p/8OXm9f8HxSR7odz+39l/PH8V9qxwf4/hfSl5UuIq0WmhdBlpmIfCxSpv57/k3N49v+PeJD/ylgtJGH/H93jc/eAtMyXOizdd+tONSHmHuPi81/azC3Ofzj/wehGivxl+R/Wf01MFvV/Cqu3nXhHDAAAAAAAAAAAAK7SBzhF2/wAKAAA";
const gnu =
  "H4sIAAAAAAACA+3UTQqDMBAF4Kx7ipwgTn4mbnsAL2EJtNKiYC30Sj1HD9aqOwtVCkaovm8zIQkEMnkJYQ6JGEOtlLmvrc/aj7Vj49KUXDdv2HovJIsF3K5NXksp6qpqxvZNrf8plahkn1XlMSvKc6QzugZ7577231g3eAuktScjZIb+RxfmyX85M9Xc13jb2+z/VP6JePj/W8ushSTkP7pL+/XvEIPNOhSlCnncl/1z/rUm7ZD/JZyeD/FCDAAAAAAAAAAAAAAAAABW4Q3yjLENACgAAA==";
const ustar =
  "H4sIAAAAAAACA+3T0QrCIBTGca97ij3BcubZnmchVBATlkGv1HP0YGW7a4QRuED6/24UFfR4+JzLYa1SdNSJTGM0H6d5Y8XYrtP2uW7aSFWifuB8Cv0YnzJ6H1LnPu3PiyvEkFkdLuHd17TWJvovr/0XLa1RlS65/1ly5RYv/+iH3UrhX20PQ+36sOgdX+e/MZvGFp7/QuxvV3UnBgAAAAAAAAAAAAAAFO0BRMcnoAAoAAA=";
const fixture = (base64: string) => new Uint8Array(gunzipSync(Buffer.from(base64, "base64")));

const longDirectory = "d".repeat(70);
const longName = `${longDirectory}/${"n".repeat(80)}.txt`;
const binary = new Uint8Array([0x68, 0xc3, 0xa9, 0x00, 0xff]);
const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const field = (block: Uint8Array, offset: number, length: number) =>
  new TextDecoder().decode(block.subarray(offset, offset + length));

const entries: TarEntry[] = [
  { name: "src/", type: "directory", mode: 0o755, uid: 0, gid: 0, uname: "root", gname: "root", mtime: 1_700_000_000 },
  {
    name: "src/a.txt",
    type: "file",
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: "root",
    gname: "root",
    mtime: 1_700_000_001,
    data: new TextEncoder().encode("hello\n"),
  },
  { name: "src/bin", type: "file", mode: 0o600, uid: 0, gid: 0, uname: "root", gname: "root", mtime: 1, data: binary },
  {
    name: "src/link",
    type: "symlink",
    mode: 0o777,
    uid: 0,
    gid: 0,
    uname: "root",
    gname: "root",
    mtime: 1,
    linkName: "a.txt",
  },
];

describe("writeTar / readTar", () => {
  for (const flavour of ["gnu", "busybox", "go"] as const) {
    it(`round-trips names, modes, times, links and binary content (${flavour})`, () => {
      const archive = writeTar(entries, flavour);
      const read = readTar(archive);
      expect(read.error).toBeUndefined();
      expect(read.entries.map(({ typeflag: _, ...entry }) => entry)).toEqual(
        entries
          .map((entry) => (entry.type === "file" ? entry : { ...entry, data: undefined }))
          .map((entry) => {
            const { data, ...rest } = entry;
            return data ? { ...rest, data } : rest;
          }),
      );
    });
  }

  it("writes GNU headers as GNU tar and BusyBox do: magic, octal fields, checksum, 10 KiB records", () => {
    const archive = writeTar([entries[1] as TarEntry], "gnu");
    expect(archive.length).toBe(10240);
    expect(field(archive, 0, 10)).toBe("src/a.txt\0");
    expect(field(archive, 100, 8)).toBe("0000644\0");
    expect(field(archive, 124, 12)).toBe("00000000006\0");
    expect(field(archive, 136, 12)).toBe(`${(1_700_000_001).toString(8)}\0`);
    expect(field(archive, 156, 1)).toBe("0");
    expect(field(archive, 257, 8)).toBe("ustar  \0");
    expect(field(archive, 265, 5)).toBe("root\0");
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (archive[i] as number);
    expect(field(archive, 148, 8)).toBe(`${sum.toString(8).padStart(6, "0")}\0 `);
    expect(field(archive, 512, 6)).toBe("hello\n");
    // BusyBox ends after the two zero blocks.
    expect(writeTar([entries[1] as TarEntry], "busybox").length).toBe(512 * 4);
  });

  it("writes names over 100 bytes as a ././@LongLink member (GNU, BusyBox)", () => {
    const entry: TarEntry = { ...(entries[1] as TarEntry), name: longName };
    for (const flavour of ["gnu", "busybox"] as const) {
      const archive = writeTar([entry], flavour);
      expect(field(archive, 0, 14)).toBe("././@LongLink\0");
      expect(field(archive, 156, 1)).toBe("L");
      expect(Number.parseInt(field(archive, 124, 11), 8)).toBe(longName.length + 1);
      expect(field(archive, 100, 7)).toBe(flavour === "gnu" ? "0000644" : "0000000");
      expect(field(archive, 512, longName.length)).toBe(longName);
      expect(field(archive, 1024, 100)).toBe(longName.slice(0, 100));
      expect(readTar(archive).entries[0]?.name).toBe(longName);
    }
  });

  it("writes long names as Go's archive/tar does: the ustar prefix when it fits, else a PAX header", () => {
    const split = writeTar([{ ...(entries[1] as TarEntry), name: longName }], "go");
    expect(field(split, 257, 8)).toBe("ustar\u000000");
    expect(field(split, 0, 86)).toBe(`${"n".repeat(80)}.txt\0\0`);
    expect(field(split, 345, 71)).toBe(`${longDirectory}\0`);
    expect(readTar(split).entries[0]?.name).toBe(longName);

    const veryLong = `${"a".repeat(60)}/${"b".repeat(120)}.txt`;
    const pax = writeTar([{ ...(entries[1] as TarEntry), name: veryLong }], "go");
    expect(field(pax, 156, 1)).toBe("x");
    expect(field(pax, 0, 100)).toBe(`${"a".repeat(60)}/PaxHeaders.0/${"b".repeat(26)}`);
    const record = ` path=${veryLong}\n`;
    const length = record.length + String(record.length + 3).length;
    expect(field(pax, 512, length)).toBe(`${length}${record}`);
    expect(readTar(pax).entries.map((entry) => [entry.name, decode(entry.data)])).toEqual([[veryLong, "hello\n"]]);

    const unicode = writeTar([{ ...(entries[1] as TarEntry), name: "src/café.txt" }], "go");
    expect(field(unicode, 156, 1)).toBe("x");
    expect(readTar(unicode).entries[0]?.name).toBe("src/café.txt");
  });

  it("reads archives GNU tar wrote in the pax, gnu and ustar formats", () => {
    for (const archive of [pax, gnu, ustar]) {
      const read = readTar(fixture(archive));
      expect(read.error).toBeUndefined();
      expect(read.entries.map((entry) => [entry.name, entry.type, entry.mtime])).toEqual([
        [`${longDirectory}/`, "directory", 1_700_000_000],
        [longName, "file", 1_700_000_000],
        ["bin.dat", "file", 1_700_000_000],
      ]);
      expect(decode(read.entries[1]?.data)).toBe("long\n");
      expect(read.entries[2]?.data).toEqual(binary);
    }
  });

  it("reports input that is not an archive, truncated members and a lone zero block", () => {
    expect(readTar(new Uint8Array(0)).error).toBe("not-tar");
    expect(readTar(new TextEncoder().encode("garbage\n".repeat(100))).error).toBe("not-tar");
    const archive = writeTar(entries, "busybox");
    expect(readTar(archive.subarray(0, 700)).error).toBe("truncated");
    expect(readTar(archive.subarray(0, 512 + 512 + 10)).error).toBe("truncated");
    const corrupt = archive.slice();
    corrupt[512 + 10] ^= 0xff;
    expect(readTar(corrupt)).toMatchObject({ error: "bad-header", entries: [{ name: "src/" }] });
    const lone = readTar(archive.subarray(0, archive.length - 512));
    expect(lone.error).toBeUndefined();
    expect(lone.loneZeroBlock).toBe(true);
    expect(lone.entries).toHaveLength(4);
    // No end blocks at all: every member read, then the input ends.
    expect(readTar(archive.subarray(0, archive.length - 1024)).entries).toHaveLength(4);
  });
});
