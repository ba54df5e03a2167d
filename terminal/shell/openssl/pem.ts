import { randomBytes } from "node:crypto";

/** PEM armour and OpenSSL's error wording for what the openssl command reads. */

/** One PEM block: its label (CERTIFICATE, PRIVATE KEY …) and DER content. */
export interface PemBlock {
  label: string;
  der: Buffer;
  /** The block's own text, armour included. */
  text: string;
}

/** Every PEM block in `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const pattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----\r?\n?/g;
  for (const match of text.matchAll(pattern)) {
    const body = (match[2] as string).replace(/^[A-Za-z-]+:.*$/gm, "").replace(/\s+/g, "");
    blocks.push({ label: match[1] as string, der: Buffer.from(body, "base64"), text: match[0] });
  }
  return blocks;
}

/** `der` in PEM armour, 64 base64 characters a line. */
export function toPem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** A failure the openssl command reports on stderr before exiting 1. */
export class OpensslError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The thread id OpenSSL's error queue lines start with (`80CB5112077F0000:error:…`), different per run. */
function threadId(): string {
  return `${randomBytes(5).toString("hex").toUpperCase()}7F0000`;
}

/** OpenSSL 3's two error-queue lines for a file that is not there, as its file store reports it. */
export function missingFileQueue(path: string): string {
  const id = threadId();
  return (
    `${id}:error:16000069:STORE routines:ossl_store_get0_loader_int:unregistered scheme:../crypto/store/store_register.c:237:scheme=file\n` +
    `${id}:error:80000002:system library:file_open:No such file or directory:../providers/implementations/storemgmt/file_store.c:266:calling stat(${path})\n`
  );
}

/** The error-queue line for a file that holds nothing of the kind asked for. */
export function unsupportedQueue(): string {
  return `${threadId()}:error:1608010C:STORE routines:ossl_store_handle_load_result:unsupported:../crypto/store/store_result.c:149:\n`;
}

/** BIO's error lines for an output file that cannot be written. */
export function cannotWrite(path: string, reason = "No such file or directory"): OpensslError {
  const id = threadId();
  return new OpensslError(
    `${id}:error:80000002:system library:BIO_new_file:${reason}:../crypto/bio/bss_file.c:67:calling fopen(${path}, w)\n` +
      `${id}:error:10000080:BIO routines:BIO_new_file:no such file:../crypto/bio/bss_file.c:75:\n`,
  );
}
