import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Shell } from "../Shell";

/** The "create a user" path of the CKA, typed into the learner's shell, up to kubectl config. */
describe("openssl in the learner's shell", () => {
  it("makes a key, a request, a CA-signed certificate and a kubeconfig user from them", async () => {
    const home = mkdtempSync(path.join(tmpdir(), "kubelab-openssl-shell-"));
    let output = "";
    const shell = new Shell({
      homeDirectory: home,
      kubeconfig: "",
      write: (text) => (output += text),
      columns: 120,
      rows: 24,
    });
    await shell.start();
    const run = async (line: string) => {
      output = "";
      await shell.execute(line);
      return output.replace(/\r\n/g, "\n");
    };
    const started = performance.now();
    await run("openssl genrsa -out jane.key 2048");
    const keyMs = performance.now() - started;
    expect(await run('openssl req -new -key jane.key -subj "/CN=jane/O=dev" -out jane.csr && echo ok')).toContain(
      "ok\n",
    );
    await run("mkdir -p pki && openssl ecparam -genkey -name prime256v1 -noout -out pki/ca.key");
    await run('openssl req -x509 -new -key pki/ca.key -subj "/CN=kubernetes" -days 3650 -out pki/ca.crt');
    expect(
      await run(
        "openssl x509 -req -in jane.csr -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial -out jane.crt -days 30",
      ),
    ).toContain("Certificate request self-signature ok\nsubject=CN = jane, O = dev\n");
    expect(await run("openssl x509 -in jane.crt -noout -subject -issuer")).toContain(
      "subject=CN = jane, O = dev\nissuer=CN = kubernetes\n",
    );
    expect(await run("openssl verify -CAfile pki/ca.crt jane.crt")).toContain("jane.crt: OK\n");
    expect(
      await run(
        "kubectl config set-credentials jane --client-certificate=jane.crt --client-key=jane.key --embed-certs=true",
      ),
    ).toContain('User "jane" set.\n');
    expect(await run("kubectl config set-context jane --cluster=kubernetes --user=jane")).toContain(
      'Context "jane" created.\n',
    );
    // The embedded certificate is the one openssl wrote.
    const config = readFileSync(path.join(home, ".kube/config"), "utf8");
    const data = /client-certificate-data: (\S+)/.exec(config)?.[1] ?? "";
    expect(Buffer.from(data, "base64").toString("utf8")).toBe(readFileSync(path.join(home, "jane.crt"), "utf8"));
    expect(await run("openssl x509 -in nope.crt -noout")).toContain(
      "Could not open file or uri for loading certificate from nope.crt\n",
    );
    // An RSA 2048 key is found off the main thread in a fraction of a second.
    expect(keyMs).toBeLessThan(5000);
  });
});
