import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runOpenssl } from "./openssl";

/**
 * Kubelab's openssl against OpenSSL 3 itself (/usr/bin/openssl, when installed): the same key and
 * subject give the same request bytes, and `-text` of the same certificate the same text.
 */
const reference = "/usr/bin/openssl";
const haveReference = existsSync(reference);
if (!haveReference) console.warn(`skipped: ${reference} is not installed; the comparisons with OpenSSL do not run`);

function workspace() {
  const directory = mkdtempSync(path.join(tmpdir(), "kubelab-openssl-"));
  const full = (file: string) => path.resolve(directory, file);
  const ours = (...args: string[]) =>
    runOpenssl(args, {
      read: (file) => readFile(full(file)).catch(() => undefined),
      write: (file, data) =>
        writeFile(full(file), data, "latin1").then(
          () => true,
          () => false,
        ),
      stdin: "",
      now: () => Date.now(),
    });
  const real = (...args: string[]) =>
    execFileSync(reference, args, { cwd: directory, encoding: "latin1", stdio: ["ignore", "pipe", "pipe"] });
  return { directory, full, ours, real };
}

describe.skipIf(!haveReference)("openssl, compared with OpenSSL 3", () => {
  it("makes a user's key, request and certificate that OpenSSL reads and verifies, printing what it prints", async () => {
    const { full, ours, real } = workspace();
    expect((await ours("genrsa", "-out", "jane.key", "2048")).exitCode).toBe(0);
    expect(readFileSync(full("jane.key"), "latin1")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const subject = "/CN=jane/O=dev";
    await ours("req", "-new", "-key", "jane.key", "-subj", subject, "-out", "ours.csr");
    real("req", "-new", "-key", "jane.key", "-subj", subject, "-out", "real.csr");
    // RSA PKCS#1 v1.5 signatures are deterministic: the whole request is the same.
    expect(readFileSync(full("ours.csr"), "latin1")).toBe(readFileSync(full("real.csr"), "latin1"));
    await ours("ecparam", "-genkey", "-name", "prime256v1", "-out", "ca.key");
    await ours("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=kubernetes", "-days", "3650", "-out", "ca.crt");
    const signed = await ours(
      "x509",
      "-req",
      "-in",
      "ours.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "jane.crt",
      "-days",
      "365",
    );
    expect(signed.stderr).toBe("Certificate request self-signature ok\nsubject=CN = jane, O = dev\n");
    expect(readFileSync(full("ca.srl"), "latin1")).toMatch(/^[0-9A-F]{40}\n$/);
    expect(real("verify", "-CAfile", "ca.crt", "jane.crt")).toBe("jane.crt: OK\n");
    for (const file of ["jane.crt", "ca.crt"])
      expect((await ours("x509", "-in", file, "-noout", "-text")).stdout).toBe(
        real("x509", "-in", file, "-noout", "-text"),
      );
    expect((await ours("req", "-in", "ours.csr", "-noout", "-text")).stdout).toBe(
      real("req", "-in", "ours.csr", "-noout", "-text"),
    );
    const fields = ["-noout", "-subject", "-issuer", "-dates", "-serial", "-fingerprint"];
    expect((await ours("x509", "-in", "jane.crt", ...fields)).stdout).toBe(real("x509", "-in", "jane.crt", ...fields));
  });

  it("prints a kubeadm-like serving certificate's extensions as OpenSSL does", async () => {
    const { ours, real } = workspace();
    real("ecparam", "-genkey", "-name", "prime256v1", "-out", "k.key");
    real(
      "req",
      "-x509",
      "-new",
      "-key",
      "k.key",
      "-subj",
      "/CN=kube-apiserver",
      "-days",
      "1",
      "-addext",
      "subjectAltName=DNS:kubernetes,DNS:kubernetes.default,IP:10.96.0.1,IP:fd00::1",
      "-addext",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "-addext",
      "extendedKeyUsage=serverAuth",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-out",
      "k.crt",
    );
    expect((await ours("x509", "-in", "k.crt", "-noout", "-text")).stdout).toBe(
      real("x509", "-in", "k.crt", "-noout", "-text"),
    );
  });

  it.each([
    {
      name: "a missing file",
      args: ["x509", "-in", "nope.crt", "-noout"],
      stderr:
        /^Could not open file or uri for loading certificate from nope.crt\n.*calling stat\(nope.crt\)\nUnable to load certificate\n$/s,
    },
    {
      name: "an option without its value",
      args: ["x509", "-noout", "-days"],
      stderr: /^x509: Option -days needs a value\nx509: Use -help for summary.\n$/,
    },
    {
      name: "a subject not in /type=value form",
      args: ["req", "-new", "-key", "k", "-subj", "CN=jane"],
      stderr:
        /^req: subject name is expected to be in the format \/type0=value0\/type1=value1\/type2=\.\.\. where characters may be escaped by \\. This name is not in that format: 'CN=jane'\n$/,
    },
    { name: "an unknown command", args: ["bogus"], stderr: /^Invalid command 'bogus'; type "help" for a list.\n$/ },
  ])("fails as OpenSSL does: $name", async ({ args, stderr }) => {
    const { ours } = workspace();
    const result = await ours(...args);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(stderr);
  });
});
