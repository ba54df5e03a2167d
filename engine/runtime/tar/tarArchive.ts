/**
 * Tar archives as bytes: the header formats real tools write and read (POSIX ustar, GNU with
 * `././@LongLink` long names, PAX extended headers as Go's archive/tar writes them for
 * kubectl cp, and old v7 headers). Pure code over Uint8Array, shared by the containers' `tar`
 * applet and Kubelab's kubectl.
 */

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

/** One member of an archive. */
export interface TarEntry {
  /** The member's path as recorded (after long-name and PAX records are applied). */
  name: string;
  type: TarEntryType;
  /** Permission bits (0o755 …). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Modification time in seconds since the epoch. */
  mtime: number;
  /** Symlink or hard link target. */
  linkName?: string;
  /** A regular file's content. */
  data?: Uint8Array;
  /** The raw type flag (`0`, `5`, `2` …), for listings of unusual members. */
  typeflag?: string;
}

/**
 * Which writer an archive imitates:
 * - `gnu`: GNU tar 1.34's default format (magic `ustar  `, `././@LongLink` members for names over
 *   100 bytes, the archive padded to 10 KiB records).
 * - `busybox`: BusyBox tar (the same GNU headers; the long-name member has mode 0 and no owner
 *   names; the archive ends after its two zero blocks).
 * - `go`: Go's archive/tar Writer as kubectl uses it (POSIX ustar with the prefix field when a
 *   name fits it, else a PAX `x` header named `<dir>/PaxHeaders.0/<base>`; no record padding).
 */
export type TarFlavour = "gnu" | "busybox" | "go";

/** Why reading stopped early. */
export type TarReadError =
  /** Not even one header: not a tar archive (or an empty input). */
  | "not-tar"
  /** A header whose checksum does not match, after at least one good one. */
  | "bad-header"
  /** The input ended inside a member or header. */
  | "truncated";

export interface TarReadResult {
  entries: TarEntry[];
  error?: TarReadError;
  /** True when the archive ended with a single zero block and then end of input (GNU warns). */
  loneZeroBlock?: boolean;
  /** Where the end-of-archive blocks start (where GNU tar's `-r` writes), when they were reached. */
  end?: number;
}

// ---------------------------------------------------------------------------------------------
// Writing

function putString(block: Uint8Array, offset: number, length: number, value: string | Uint8Array): void {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  block.set(bytes.subarray(0, length), offset);
}

/** An octal field as tar writes it: zero-padded to length-1 digits and a NUL. */
function putOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const digits = Math.max(0, Math.trunc(value)).toString(8);
  if (digits.length > length - 1) throw new RangeError(`value ${value} does not fit a ${length}-byte tar field`);
  putString(block, offset, length, `${digits.padStart(length - 1, "0")}\0`);
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum;
}

/** The checksum field: six octal digits, a NUL and a space (as GNU tar, BusyBox and Go write it). */
function sealChecksum(block: Uint8Array): void {
  const sum = checksum(block);
  putString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
}

function typeflagOf(entry: TarEntry): string {
  if (entry.typeflag && entry.type === "other") return entry.typeflag;
  switch (entry.type) {
    case "directory":
      return "5";
    case "symlink":
      return "2";
    case "hardlink":
      return "1";
    default:
      return "0";
  }
}

interface RawHeader {
  name: string | Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkName?: string | Uint8Array;
  uname: string;
  gname: string;
  magic: "gnu" | "ustar";
  prefix?: string;
}

function header(raw: RawHeader): Uint8Array {
  const block = new Uint8Array(BLOCK);
  putString(block, 0, 100, raw.name);
  putOctal(block, 100, 8, raw.mode);
  putOctal(block, 108, 8, raw.uid);
  putOctal(block, 116, 8, raw.gid);
  putOctal(block, 124, 12, raw.size);
  putOctal(block, 136, 12, raw.mtime);
  putString(block, 156, 1, raw.typeflag);
  if (raw.linkName) putString(block, 157, 100, raw.linkName);
  if (raw.magic === "gnu") {
    putString(block, 257, 8, "ustar  \0");
  } else {
    putString(block, 257, 8, "ustar\u000000");
  }
  putString(block, 265, 32, raw.uname);
  putString(block, 297, 32, raw.gname);
  if (raw.magic === "ustar") {
    putOctal(block, 329, 8, 0);
    putOctal(block, 337, 8, 0);
    if (raw.prefix) putString(block, 345, 155, raw.prefix);
  }
  sealChecksum(block);
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, new Uint8Array(BLOCK - rest)];
}

function gnuMembers(entry: TarEntry, flavour: "gnu" | "busybox"): Uint8Array[] {
  const out: Uint8Array[] = [];
  const longLink = (flag: "L" | "K", value: Uint8Array) => {
    const data = new Uint8Array(value.length + 1);
    data.set(value);
    out.push(
      header({
        name: "././@LongLink",
        mode: flavour === "gnu" ? 0o644 : 0,
        uid: 0,
        gid: 0,
        size: data.length,
        mtime: 0,
        typeflag: flag,
        uname: flavour === "gnu" ? "root" : "",
        gname: flavour === "gnu" ? "root" : "",
        magic: "gnu",
      }),
      ...padded(data),
    );
  };
  const name = encoder.encode(entry.name);
  const link = entry.linkName === undefined ? undefined : encoder.encode(entry.linkName);
  if (link && link.length > 100) longLink("K", link);
  if (name.length > 100) longLink("L", name);
  const data = entry.type === "file" ? (entry.data ?? new Uint8Array(0)) : new Uint8Array(0);
  out.push(
    header({
      name: name.subarray(0, 100),
      mode: entry.mode,
      uid: entry.uid,
      gid: entry.gid,
      size: data.length,
      mtime: entry.mtime,
      typeflag: typeflagOf(entry),
      linkName: link?.subarray(0, 100),
      uname: entry.uname,
      gname: entry.gname,
      magic: "gnu",
    }),
  );
  if (data.length > 0) out.push(...padded(data));
  return out;
}

const isAscii = (text: string) => !/\P{ASCII}/u.test(text);

/** Go's USTAR split of a long name into prefix (≤ 155) and name (≤ 100) at a slash. */
function splitUstarPath(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: "", name };
  let index = name.length > 156 ? 155 : name.endsWith("/") ? name.length - 2 : name.length - 1;
  for (; index > 0; index--) {
    if (name[index] === "/") break;
  }
  if (index <= 0) return undefined;
  const prefix = name.slice(0, index);
  const rest = name.slice(index + 1);
  if (rest.length === 0 || rest.length > 100 || prefix.length > 155) return undefined;
  return { prefix, name: rest };
}

/** A PAX record: `<length> <key>=<value>\n`, where the length counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length + bodyLength !== length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

function goMembers(entry: TarEntry): Uint8Array[] {
  const data = entry.type === "file" ? (entry.data ?? new Uint8Array(0)) : new Uint8Array(0);
  const base = {
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    size: data.length,
    mtime: entry.mtime,
    typeflag: typeflagOf(entry),
    uname: entry.uname,
    gname: entry.gname,
    magic: "ustar" as const,
  };
  const split = isAscii(entry.name) ? splitUstarPath(entry.name) : undefined;
  const linkFits = entry.linkName === undefined || (isAscii(entry.linkName) && entry.linkName.length <= 100);
  const out: Uint8Array[] = [];
  if (split && linkFits) {
    out.push(header({ ...base, name: split.name, prefix: split.prefix, linkName: entry.linkName }));
  } else {
    const records: Array<[string, string]> = [];
    if (entry.linkName !== undefined && !linkFits) records.push(["linkpath", entry.linkName]);
    if (!split) records.push(["path", entry.name]);
    records.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const paxData = encoder.encode(records.map(([key, value]) => paxRecord(key, value)).join(""));
    const slash = entry.name.replace(/\/+$/, "").lastIndexOf("/");
    const directory = slash < 0 ? "" : entry.name.slice(0, slash);
    const file = slash < 0 ? entry.name.replace(/\/+$/, "") : entry.name.slice(slash + 1).replace(/\/+$/, "");
    const paxName = toAscii(directory ? `${directory}/PaxHeaders.0/${file}` : `PaxHeaders.0/${file}`)
      .slice(0, 100)
      .replace(/\/+$/, "");
    out.push(
      header({
        name: paxName,
        mode: 0,
        uid: 0,
        gid: 0,
        size: paxData.length,
        mtime: 0,
        typeflag: "x",
        uname: "",
        gname: "",
        magic: "ustar",
      }),
      ...padded(paxData),
    );
    const name = toAscii(entry.name);
    let field = encoder.encode(name).subarray(0, 100);
    if (name.length > 100 && field[99] === 0x2f) {
      const trimmed = name.slice(0, 99).replace(/\/+$/, "");
      field = encoder.encode(trimmed);
    }
    out.push(
      header({
        ...base,
        name: field,
        linkName: entry.linkName === undefined ? undefined : toAscii(entry.linkName).slice(0, 100),
      }),
    );
  }
  if (data.length > 0) out.push(...padded(data));
  return out;
}

/** Go's toASCII: drops every non-ASCII character (the PAX record keeps the real name). */
function toAscii(text: string): string {
  return text.replace(/\P{ASCII}/gu, "");
}

/** Writes an archive of `entries` as the chosen tool would. */
export function writeTar(
  entries: Iterable<TarEntry>,
  flavour: TarFlavour,
  /**
   * GNU tar's append: the archive so far, up to its end blocks, goes first; records are counted
   * from its start (`alignTotal`, an archive it read) or from the appended part (one it could not).
   */
  append?: { prefix: Uint8Array; alignTotal: boolean },
): Uint8Array {
  const parts: Uint8Array[] = append ? [append.prefix] : [];
  for (const entry of entries) {
    parts.push(...(flavour === "go" ? goMembers(entry) : gnuMembers(entry, flavour)));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  let length = parts.reduce((sum, part) => sum + part.length, 0);
  const counted = append && !append.alignTotal ? length - append.prefix.length : length;
  // GNU tar writes whole records of 20 blocks.
  if (flavour === "gnu" && counted % (BLOCK * 20) !== 0) {
    const padding = BLOCK * 20 - (counted % (BLOCK * 20));
    parts.push(new Uint8Array(padding));
    length += padding;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

function cString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/** A numeric field: octal text (spaces and NULs around it), or GNU's base-256 when the high bit is set. */
function number(bytes: Uint8Array, offset: number, length: number): number {
  const field = bytes.subarray(offset, offset + length);
  if (field[0] & 0x80) {
    let value = field[0] & 0x3f;
    if (field[0] & 0x40) value = -((~field[0] & 0x3f) + 1);
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = decoder.decode(field).replace(/\0.*$/s, "").trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function validChecksum(block: Uint8Array): boolean {
  const recorded = number(block, 148, 8);
  if (recorded === checksum(block)) return true;
  // Some old writers summed signed bytes.
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i];
    signed += byte > 127 ? byte - 256 : byte;
  }
  return recorded === signed;
}

const isZeroBlock = (block: Uint8Array) => block.every((byte) => byte === 0);

function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number.parseInt(decoder.decode(data.subarray(offset, space)), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, offset + length)).replace(/\n$/, "");
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

function typeOf(flag: string, name: string): TarEntryType {
  switch (flag) {
    case "0":
    case "\0":
    case "":
    case "7":
      return name.endsWith("/") ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    default:
      return "other";
  }
}

/** Reads every member of an archive, stopping at its end (two zero blocks, or one and the input's end). */
export function readTar(bytes: Uint8Array): TarReadResult {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  const globalPax = new Map<string, string>();
  let sawHeader = false;
  while (true) {
    if (offset >= bytes.length) {
      return sawHeader ? { entries, error: "truncated" } : { entries, error: "not-tar" };
    }
    if (offset + BLOCK > bytes.length) return { entries, error: sawHeader ? "truncated" : "not-tar" };
    const block = bytes.subarray(offset, offset + BLOCK);
    offset += BLOCK;
    if (isZeroBlock(block)) {
      if (offset >= bytes.length) return { entries, loneZeroBlock: true, end: offset - BLOCK };
      return { entries, end: offset - BLOCK };
    }
    if (!validChecksum(block)) return { entries, error: sawHeader ? "bad-header" : "not-tar" };
    sawHeader = true;
    const flag = String.fromCharCode(block[156]).replace("\0", "0");
    const paxSize = flag === "x" || flag === "g" || flag === "L" || flag === "K" ? undefined : pax.get("size");
    const size = paxSize === undefined ? number(block, 124, 12) : Number(paxSize);
    const dataEnd = offset + size;
    if (dataEnd > bytes.length) return { entries, error: "truncated" };
    const data = bytes.subarray(offset, dataEnd);
    offset += Math.ceil(size / BLOCK) * BLOCK;
    if (flag === "L") {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (flag === "K") {
      longLink = cString(data, 0, data.length);
      continue;
    }
    if (flag === "x") {
      pax = parsePax(data);
      continue;
    }
    if (flag === "g") {
      for (const [key, value] of parsePax(data)) globalPax.set(key, value);
      continue;
    }
    const magic = decoder.decode(block.subarray(257, 263));
    let name = cString(block, 0, 100);
    if (magic === "ustar\0") {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const records = new Map([...globalPax, ...pax]);
    name = records.get("path") ?? longName ?? name;
    const linkName = records.get("linkpath") ?? longLink ?? cString(block, 157, 100);
    const type = typeOf(flag, name);
    const entry: TarEntry = {
      name,
      type,
      mode: number(block, 100, 8) & 0o7777,
      uid: Number(records.get("uid") ?? number(block, 108, 8)),
      gid: Number(records.get("gid") ?? number(block, 116, 8)),
      uname: records.get("uname") ?? cString(block, 265, 32),
      gname: records.get("gname") ?? cString(block, 297, 32),
      mtime: Math.floor(Number(records.get("mtime") ?? number(block, 136, 12))),
      typeflag: flag,
    };
    if (type === "symlink" || type === "hardlink") entry.linkName = linkName;
    if (type === "file") entry.data = data.slice();
    entries.push(entry);
    longName = undefined;
    longLink = undefined;
    pax = new Map();
  }
}
