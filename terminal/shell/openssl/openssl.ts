import { createHash, type KeyObject, randomBytes, verify } from "node:crypto";
import { readChildren, readSingle } from "../../../engine/pki/derReader";
import { type ExtensionKeys, extensionFromConfig, extensionLines, extensionName } from "./extensions";
import {
  curveName,
  ecParametersPem,
  generateKey,
  type KeySpec,
  parseNewKey,
  primeSearchDots,
  privateKeyPem,
  publicKeyPem,
  readPrivateKey,
  readPublicKey,
} from "./keys";
import { missingFileQueue, OpensslError, pemBlocks, toPem, unsupportedQueue } from "./pem";
import { buildCertificate, buildRequest, encodeSubject, extensionDer, publicKeyInfo, randomSerial } from "./x509Build";
import { type Certificate, parseCertificate, parseRequest, type Request } from "./x509Parse";
import { colonHex, formatCertificate, formatName, formatRequest, formatTime } from "./x509Text";

/**
 * `openssl` in the learner's shell: what Kubernetes learners run to make a user's key, request and
 * certificate, and to read certificates (OpenSSL 3.0 as Ubuntu 24.04 ships it), with node:crypto
 * underneath. Output and errors are worded as OpenSSL 3 words them.
 */

/** What the command needs from the shell: its files (relative to the working directory), stdin, the clock. */
export interface OpensslIO {
  /** A file's bytes, or undefined when it is not there. */
  read(path: string): Promise<Buffer | undefined>;
  /** Writes a file; false when it cannot be (no such directory). */
  write(path: string, data: string): Promise<boolean>;
  stdin: string;
  now(): number;
}

export interface OpensslResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export const opensslVersion = "OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)";

/** A command's options: which take a value; the rest are switches. */
interface Parsed {
  values: Map<string, string[]>;
  switches: Set<string>;
  /** Options in the order given (x509 prints -subject, -dates … in that order). */
  order: string[];
  positional: string[];
}

function parseOptions(command: string, args: string[], withValue: string[], switches: string[]): Parsed {
  const parsed: Parsed = { values: new Map(), switches: new Set(), order: [], positional: [] };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (!arg.startsWith("-") || arg === "-") {
      parsed.positional.push(arg);
      continue;
    }
    const name = arg.replace(/^--?/, "");
    if (withValue.includes(name)) {
      const value = args[++index];
      if (value === undefined)
        throw new OpensslError(`${command}: Option -${name} needs a value\n${command}: Use -help for summary.\n`);
      parsed.values.set(name, [...(parsed.values.get(name) ?? []), value]);
    } else if (switches.includes(name)) parsed.switches.add(name);
    else
      throw new OpensslError(
        `${command}: Unknown option or message digest: ${name}\n${command}: Use -help for summary.\n`,
      );
    parsed.order.push(name);
  }
  return parsed;
}

const value = (parsed: Parsed, name: string) => parsed.values.get(name)?.at(-1);

/** Runs `openssl ARGS`. */
export async function runOpenssl(args: string[], io: OpensslIO): Promise<OpensslResult> {
  const out = { stdout: "", stderr: "" };
  const [command = "", ...rest] = args;
  try {
    const run = commands[command];
    if (!run) {
      if (command === "") return { stdout: "", stderr: "", exitCode: 0 };
      return { stdout: "", stderr: `Invalid command '${command}'; type "help" for a list.\n`, exitCode: 1 };
    }
    await run(command, rest, io, out);
    return { ...out, exitCode: 0 };
  } catch (error) {
    if (error instanceof OpensslError) return { ...out, stderr: out.stderr + error.message, exitCode: error.exitCode };
    return { ...out, stderr: `${out.stderr}${command}: ${(error as Error).message}\n`, exitCode: 1 };
  }
}

type Output = { stdout: string; stderr: string };
type Run = (command: string, args: string[], io: OpensslIO, out: Output) => Promise<void>;

/** Writes `text` to -out FILE, or to stdout. */
async function emit(
  io: OpensslIO,
  out: Output,
  command: string,
  file: string | undefined,
  text: string,
): Promise<void> {
  if (!file) {
    out.stdout += text;
    return;
  }
  if (!(await io.write(file, text)))
    throw new OpensslError(`${command}: Can't open "${file}" for writing, No such file or directory\n`);
}

/** A file's text; missing files fail as OpenSSL's file store reports them. */
async function readText(io: OpensslIO, path: string | undefined, what: string): Promise<string> {
  if (!path || path === "-") return io.stdin;
  const data = await io.read(path);
  if (data === undefined)
    throw new OpensslError(`Could not open file or uri for loading ${what} from ${path}\n${missingFileQueue(path)}`);
  return data.toString("latin1");
}

async function loadPrivateKey(io: OpensslIO, path: string | undefined, what = "private key"): Promise<KeyObject> {
  const text = await readText(io, path, what);
  const key = readPrivateKey(text);
  if (!key) throw new OpensslError(`Could not read ${what} from ${path ?? "<stdin>"}\n${unsupportedQueue()}`);
  return key;
}

async function loadCertificate(io: OpensslIO, path: string | undefined, what = "certificate"): Promise<Certificate> {
  const text = await readText(io, path, what).catch((error: OpensslError) => {
    throw new OpensslError(`${error.message}Unable to load ${what}\n`);
  });
  const block = pemBlocks(text).find((candidate) => /^(X509 |TRUSTED )?CERTIFICATE$/.test(candidate.label));
  if (!block)
    throw new OpensslError(
      `Could not read ${what} from ${path ?? "<stdin>"}\n${unsupportedQueue()}Unable to load ${what}\n`,
    );
  return parseCertificate(block.der);
}

async function loadRequest(io: OpensslIO, path: string | undefined): Promise<Request> {
  const text = await readText(io, path, "certificate request");
  const block = pemBlocks(text).find((candidate) => /CERTIFICATE REQUEST$/.test(candidate.label));
  if (!block)
    throw new OpensslError(
      `Could not read certificate request from ${path ?? "<stdin>"}\n${unsupportedQueue()}Unable to load X509 request\n`,
    );
  return parseRequest(block.der);
}

/** `-pkeyopt name:value` pairs. */
function keyOptions(parsed: Parsed): Map<string, string> {
  return new Map(
    (parsed.values.get("pkeyopt") ?? []).map((option) => {
      const at = option.indexOf(":");
      return [option.slice(0, at), option.slice(at + 1)] as [string, string];
    }),
  );
}

const genrsa: Run = async (command, args, io, out) => {
  const parsed = parseOptions(command, args, ["out"], ["traditional", "noout", "verbose", "quiet"]);
  const bits = Number(parsed.positional[0] ?? 2048);
  if (!Number.isInteger(bits)) throw new OpensslError(`${command}: Extra option: "${parsed.positional[0]}"\n`);
  if (bits < 512) throw new OpensslError(`${command}: Key size too small\n`);
  const key = await generateKey({ type: "rsa", bits });
  await emit(io, out, command, value(parsed, "out"), privateKeyPem(key, parsed.switches.has("traditional")));
};

const genpkey: Run = async (command, args, io, out) => {
  const parsed = parseOptions(command, args, ["algorithm", "pkeyopt", "out", "outform"], ["quiet", "text"]);
  const algorithm = value(parsed, "algorithm");
  if (!algorithm) throw new OpensslError(`${command}: Either -algorithm or -paramfile must be specified\n`);
  const spec: KeySpec = parseNewKey(algorithm.toLowerCase() === "rsa" ? "rsa" : algorithm, keyOptions(parsed));
  if (spec.type === "rsa" && !parsed.switches.has("quiet")) out.stderr += primeSearchDots();
  const key = await generateKey(spec);
  await emit(io, out, command, value(parsed, "out"), privateKeyPem(key));
};

const ecparam: Run = async (command, args, io, out) => {
  const parsed = parseOptions(command, args, ["name", "out"], ["genkey", "noout", "list_curves"]);
  if (parsed.switches.has("list_curves")) {
    out.stdout +=
      "  secp384r1 : NIST/SECG curve over a 384 bit prime field\n  secp521r1 : NIST/SECG curve over a 521 bit prime field\n  prime256v1: X9.62/SECG curve over a 256 bit prime field\n";
    return;
  }
  const name = value(parsed, "name") ?? "";
  const curve = curveName(name);
  if (!curve) throw new OpensslError(`unknown curve name (${name})\n`);
  let text = parsed.switches.has("noout") ? "" : ecParametersPem(curve);
  if (parsed.switches.has("genkey")) text += privateKeyPem(await generateKey({ type: "ec", curve }), true);
  await emit(io, out, command, value(parsed, "out"), text);
};

/** rsa, ec and pkey: read a key, write it again or its public half. */
const keyTool: Run = async (command, args, io, out) => {
  const parsed = parseOptions(
    command,
    args,
    ["in", "out", "inform", "outform"],
    ["pubout", "pubin", "noout", "traditional"],
  );
  const input = value(parsed, "in");
  const text = await readText(io, input, parsed.switches.has("pubin") ? "public key" : "private key");
  const key = parsed.switches.has("pubin") ? readPublicKey(text) : readPrivateKey(text);
  if (!key)
    throw new OpensslError(
      `Could not read ${parsed.switches.has("pubin") ? "public" : "private"} key from ${input ?? "<stdin>"}\n`,
    );
  if (command === "ec") out.stderr += "read EC key\n";
  if (parsed.switches.has("noout")) return;
  if (command === "rsa") out.stderr += "writing RSA key\n";
  if (command === "ec") out.stderr += "writing EC key\n";
  const pem =
    parsed.switches.has("pubout") || parsed.switches.has("pubin")
      ? publicKeyPem(key)
      : privateKeyPem(key, parsed.switches.has("traditional") || command === "ec");
  await emit(io, out, command, value(parsed, "out"), pem);
};

/** The extensions of `-addext` lines (later lines of a kind replace earlier defaults). */
function extensionsFrom(lines: string[], keys: ExtensionKeys): Buffer[] {
  const byName = new Map<string, string>();
  for (const line of lines) byName.set(extensionName(line), line);
  return [...byName.values()].map((line) => extensionFromConfig(line, keys));
}

const day = 24 * 60 * 60 * 1000;

function days(parsed: Parsed, command: string): number {
  const text = value(parsed, "days") ?? "30";
  const count = Number(text);
  if (!Number.isInteger(count)) throw new OpensslError(`${command}: Invalid number "${text}" for option -days\n`);
  return count;
}

const req: Run = async (command, args, io, out) => {
  const parsed = parseOptions(
    command,
    args,
    ["key", "newkey", "keyout", "subj", "out", "in", "days", "addext", "pkeyopt", "set_serial", "config", "extensions"],
    ["new", "nodes", "noenc", "x509", "noout", "text", "verify", "pubkey", "subject", "batch", "sha256", "utf8"],
  );
  if (!parsed.switches.has("new") && !parsed.values.has("newkey") && !parsed.switches.has("x509")) {
    const request = await loadRequest(io, value(parsed, "in"));
    if (parsed.switches.has("verify")) {
      const ok = verify(
        digestOf(request.signatureAlgorithm),
        requestInfo(request.der),
        { key: Buffer.from(request.publicKeyInfo), format: "der", type: "spki" },
        request.signature,
      );
      out.stderr += ok
        ? "Certificate request self-signature verify OK\n"
        : "Certificate request self-signature verify failure\n";
    }
    for (const option of parsed.order) {
      if (option === "text") out.stdout += formatRequest(request);
      else if (option === "subject") out.stdout += `subject=${formatName(request.subject)}\n`;
      else if (option === "pubkey") out.stdout += toPem("PUBLIC KEY", request.publicKeyInfo);
    }
    if (!parsed.switches.has("noout"))
      await emit(io, out, command, value(parsed, "out"), toPem("CERTIFICATE REQUEST", request.der));
    return;
  }
  const subject = value(parsed, "subj");
  if (subject === undefined)
    throw new OpensslError(`${command}: Kubelab's openssl needs -subj "/CN=…" (it cannot prompt for the subject)\n`);
  const subjectDer = encodeSubject(subject, command);
  let key: KeyObject;
  const keyFile = value(parsed, "key");
  if (keyFile) key = await loadPrivateKey(io, keyFile);
  else {
    const spec = parseNewKey(value(parsed, "newkey") ?? "rsa:2048", keyOptions(parsed));
    if (spec.type === "rsa") out.stderr += primeSearchDots();
    key = await generateKey(spec);
    if (!parsed.switches.has("nodes") && !parsed.switches.has("noenc"))
      throw new OpensslError(
        `Enter PEM pass phrase:\n${command}: the key would be encrypted; add -nodes (-noenc) to write it unencrypted\n`,
      );
    await emit(io, out, command, value(parsed, "keyout"), privateKeyPem(key));
    if (spec.type === "rsa") out.stderr += "-----\n";
  }
  const spki = publicKeyInfo(key);
  const keys = { subject: spki, issuer: spki };
  const added = parsed.values.get("addext") ?? [];
  let der: Buffer;
  let label: string;
  if (parsed.switches.has("x509")) {
    // Ubuntu's openssl.cnf [v3_ca]: key identifiers and a critical CA:TRUE, unless -addext says otherwise.
    const defaults = [
      "subjectKeyIdentifier=hash",
      "authorityKeyIdentifier=keyid:always,issuer",
      "basicConstraints=critical,CA:true",
    ];
    const now = io.now();
    der = buildCertificate(
      {
        serial: serialFrom(value(parsed, "set_serial")) ?? randomSerial(),
        issuer: subjectDer,
        subject: subjectDer,
        notBefore: now,
        notAfter: now + days(parsed, command) * day,
        publicKeyInfo: spki,
        extensions: extensionsFrom([...defaults, ...added], keys),
      },
      key,
    );
    label = "CERTIFICATE";
  } else {
    der = buildRequest(subjectDer, key, extensionsFrom(added, keys));
    label = "CERTIFICATE REQUEST";
  }
  if (parsed.switches.has("text"))
    out.stdout += label === "CERTIFICATE" ? formatCertificate(parseCertificate(der)) : formatRequest(parseRequest(der));
  if (!parsed.switches.has("noout")) await emit(io, out, command, value(parsed, "out"), toPem(label, der));
};

function digestOf(algorithm: string): string | null {
  if (algorithm === "1.3.101.112") return null;
  if (algorithm.endsWith(".1.1.5")) return "sha1";
  if (algorithm.endsWith(".1.1.12") || algorithm.endsWith(".4.3.3")) return "sha384";
  if (algorithm.endsWith(".1.1.13") || algorithm.endsWith(".4.3.4")) return "sha512";
  return "sha256";
}

/** The signed part of a request or certificate (its first element). */
function requestInfo(der: Buffer): Buffer {
  return (readChildren(readSingle(der).content)[0] as { raw: Buffer }).raw;
}

/** `-set_serial 0x1F` / `-set_serial 42`. */
function serialFrom(text: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  const number = BigInt(text);
  let hex = number.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, "hex");
}

/** The serial for `x509 -req -CA`: -set_serial, else the serial file's next number, else a random one. */
async function caSerial(parsed: Parsed, io: OpensslIO, caFile: string): Promise<Buffer> {
  const explicit = serialFrom(value(parsed, "set_serial"));
  if (explicit) return explicit;
  const file = value(parsed, "CAserial") ?? `${caFile.replace(/\.[^./]*$/, "")}.srl`;
  const existing = await io.read(file);
  let serial: Buffer;
  if (existing) {
    let hex = (BigInt(`0x${existing.toString("latin1").trim() || "0"}`) + 1n).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    serial = Buffer.from(hex, "hex");
  } else {
    serial = randomSerial();
    if (!parsed.switches.has("CAcreateserial") && !parsed.values.has("CAserial")) return serial;
  }
  await io.write(file, `${serial.toString("hex").toUpperCase()}\n`);
  return serial;
}

const x509: Run = async (command, args, io, out) => {
  const parsed = parseOptions(
    command,
    args,
    [
      "in",
      "out",
      "CA",
      "CAkey",
      "CAserial",
      "set_serial",
      "days",
      "extfile",
      "extensions",
      "signkey",
      "checkend",
      "ext",
      "inform",
      "outform",
      "key",
    ],
    [
      "req",
      "CAcreateserial",
      "noout",
      "text",
      "subject",
      "issuer",
      "dates",
      "startdate",
      "enddate",
      "serial",
      "fingerprint",
      "sha1",
      "sha256",
      "pubkey",
      "copy_extensions",
      "nameopt",
      "modulus",
      "hash",
      "email",
      "purpose",
    ],
  );
  let certificate: Certificate;
  if (parsed.switches.has("req")) {
    const request = await loadRequest(io, value(parsed, "in"));
    const caFile = value(parsed, "CA");
    const signKeyFile = value(parsed, "signkey") ?? value(parsed, "key");
    if (!caFile && !signKeyFile)
      throw new OpensslError(
        `${command}: We need a private key to sign with, use -signkey or -CAkey or -CA with private key\n`,
      );
    const ca = caFile ? await loadCertificate(io, caFile, "CA certificate") : undefined;
    const signingKey = await loadPrivateKey(
      io,
      value(parsed, "CAkey") ?? signKeyFile ?? caFile,
      ca ? "CA private key" : "private key",
    );
    const selfSignatureOk = verify(
      digestOf(request.signatureAlgorithm),
      requestInfo(request.der),
      { key: Buffer.from(request.publicKeyInfo), format: "der", type: "spki" },
      request.signature,
    );
    if (!selfSignatureOk) throw new OpensslError("Certificate request self-signature did not match the contents\n");
    out.stderr += "Certificate request self-signature ok\n";
    out.stderr += `subject=${formatName(request.subject)}\n`;
    const extfile = value(parsed, "extfile");
    const keys = { subject: request.publicKeyInfo, issuer: ca?.publicKeyInfo ?? request.publicKeyInfo };
    let lines: string[] = [];
    if (extfile) lines = extensionLines(await readText(io, extfile, "extensions"), value(parsed, "extensions"));
    const extensions = extensionsFrom(lines, keys);
    if (parsed.switches.has("copy_extensions") && request.extensions)
      for (const extension of request.extensions)
        extensions.push(extensionDer(extension.oid, extension.critical, extension.value));
    const now = io.now();
    const der = buildCertificate(
      {
        serial: caFile
          ? await caSerial(parsed, io, caFile)
          : (serialFrom(value(parsed, "set_serial")) ?? randomSerial()),
        issuer: ca ? ca.subject.der : request.subject.der,
        subject: request.subject.der,
        notBefore: now,
        notAfter: now + days(parsed, command) * day,
        publicKeyInfo: request.publicKeyInfo,
        extensions,
      },
      signingKey,
    );
    certificate = parseCertificate(der);
  } else {
    certificate = await loadCertificate(io, value(parsed, "in"));
  }
  const digest = parsed.switches.has("sha256") ? "sha256" : "sha1";
  for (const option of parsed.order) {
    switch (option) {
      case "text":
        out.stdout += formatCertificate(certificate);
        break;
      case "subject":
        out.stdout += `subject=${formatName(certificate.subject)}\n`;
        break;
      case "issuer":
        out.stdout += `issuer=${formatName(certificate.issuer)}\n`;
        break;
      case "dates":
        out.stdout += `notBefore=${formatTime(certificate.notBefore)}\nnotAfter=${formatTime(certificate.notAfter)}\n`;
        break;
      case "startdate":
        out.stdout += `notBefore=${formatTime(certificate.notBefore)}\n`;
        break;
      case "enddate":
        out.stdout += `notAfter=${formatTime(certificate.notAfter)}\n`;
        break;
      case "serial":
        out.stdout += `serial=${certificate.serial.toString("hex").toUpperCase()}\n`;
        break;
      case "fingerprint":
        out.stdout += `${digest === "sha1" ? "SHA1" : "sha256"} Fingerprint=${colonHex(createHash(digest).update(certificate.der).digest())}\n`;
        break;
      case "pubkey":
        out.stdout += toPem("PUBLIC KEY", certificate.publicKeyInfo);
        break;
      case "checkend": {
        const seconds = Number(value(parsed, "checkend"));
        const expires = certificate.notAfter < io.now() + seconds * 1000;
        out.stdout += expires ? "Certificate will expire\n" : "Certificate will not expire\n";
        if (expires) throw new OpensslError("", 1);
        break;
      }
    }
  }
  if (!parsed.switches.has("noout"))
    await emit(io, out, command, value(parsed, "out"), toPem("CERTIFICATE", certificate.der));
};

const verifyCommand: Run = async (command, args, io, out) => {
  const parsed = parseOptions(command, args, ["CAfile", "untrusted"], []);
  const ca = await loadCertificate(io, value(parsed, "CAfile"), "certificates");
  for (const file of parsed.positional) {
    const certificate = await loadCertificate(io, file);
    const tbs = requestInfo(certificate.der);
    const signedByCa =
      ca.subject.der.equals(certificate.issuer.der) &&
      verify(
        digestOf(certificate.signatureAlgorithm),
        tbs,
        { key: Buffer.from(ca.publicKeyInfo), format: "der", type: "spki" },
        certificate.signature,
      );
    if (signedByCa && certificate.notAfter >= io.now()) {
      out.stdout += `${file}: OK\n`;
      continue;
    }
    const expired = signedByCa;
    out.stderr += `${formatName(certificate.subject)}\nerror ${expired ? "10 at 0 depth lookup: certificate has expired" : "20 at 0 depth lookup: unable to get local issuer certificate"}\nerror ${file}: verification failed\n`;
    throw new OpensslError("", 2);
  }
};

const rand: Run = async (command, args, io, out) => {
  const parsed = parseOptions(command, args, ["out"], ["hex", "base64"]);
  const count = Number(parsed.positional[0]);
  if (!Number.isInteger(count) || count < 0)
    throw new OpensslError(`${command}: Invalid number "${parsed.positional[0] ?? ""}"\n`);
  const bytes = randomBytes(count);
  const text = parsed.switches.has("hex")
    ? `${bytes.toString("hex")}\n`
    : parsed.switches.has("base64")
      ? `${(bytes.toString("base64").match(/.{1,64}/g) ?? []).join("\n")}\n`
      : bytes.toString("latin1");
  await emit(io, out, command, value(parsed, "out"), text);
};

/** `openssl base64 [-d] [-A]` and `openssl enc -base64 …`. */
const base64: Run = async (command, args, io, out) => {
  const parsed = parseOptions(command, args, ["in", "out"], ["d", "e", "A", "base64", "a"]);
  const input = value(parsed, "in")
    ? ((await io.read(value(parsed, "in") as string)) ?? Buffer.alloc(0))
    : Buffer.from(io.stdin, "latin1");
  let text: string;
  if (parsed.switches.has("d"))
    text = Buffer.from(input.toString("latin1").replace(/\s+/g, ""), "base64").toString("latin1");
  else {
    const encoded = input.toString("base64");
    text = parsed.switches.has("A")
      ? `${encoded}\n`
      : encoded
        ? `${(encoded.match(/.{1,64}/g) ?? []).join("\n")}\n`
        : "";
  }
  await emit(io, out, command, value(parsed, "out"), text);
};

const version: Run = async (_command, _args, _io, out) => {
  out.stdout += `${opensslVersion}\n`;
};

const help: Run = async (_command, _args, _io, out) => {
  out.stderr +=
    "help:\n\nStandard commands\nbase64            ec                ecparam           enc\ngenpkey           genrsa            help              pkey\nrand              req               rsa               verify\nversion           x509\n";
};

const commands: Record<string, Run> = {
  genrsa,
  genpkey,
  ecparam,
  rsa: keyTool,
  ec: keyTool,
  pkey: keyTool,
  req,
  x509,
  verify: verifyCommand,
  rand,
  base64,
  enc: base64,
  version,
  help,
};
