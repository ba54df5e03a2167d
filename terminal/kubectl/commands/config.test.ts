import { describe, expect, it } from "vitest";
import type { KubectlIO } from "../KubectlIO";
import { runKubectl } from "../kubectl";

/**
 * `kubectl config`'s writers against in-memory files. Every expected text below is what kubectl
 * 1.32 printed and wrote for the same files and command (the differential corpus compares more).
 */
const start = `apiVersion: v1
kind: Config
clusters:
- name: zeta
  cluster: {server: https://1.2.3.4:6443, certificate-authority: ca.crt}
- name: alpha
  cluster: {server: https://5.6.7.8}
contexts:
- name: z
  context: {cluster: zeta, user: admin, namespace: dev}
current-context: z
users:
- name: admin
  user: {token: abc, foo: bar}
`;

async function run(args: string[], files: Record<string, string>, env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const io: KubectlIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => "",
    readFile: async (file) => {
      const path = file.startsWith("/") ? file : `/work/${file}`;
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    writeFile: async (file, content) => {
      files[file.startsWith("/") ? file : `/work/${file}`] = content;
    },
    readDirectory: async () => undefined,
    env: { HOME: "/root", KUBECONFIG: "/root/.kube/config", ...env },
    cwd: "/work",
  };
  const status = await runKubectl(["config", ...args], io);
  return { status, stdout, stderr };
}

describe("kubectl config writers", () => {
  it("set-credentials keeps paths under the kubeconfig's folder relative and others absolute, and re-encodes the file", async () => {
    const files = { "/root/.kube/config": start, "/work/jane.crt": "CERT\n" };
    const result = await run(
      ["set-credentials", "jane", "--client-certificate=jane.crt", "--client-key=/root/.kube/pki/jane.key"],
      files,
    );
    expect(result).toEqual({ status: 0, stdout: 'User "jane" set.\n', stderr: "" });
    expect(files["/root/.kube/config"]).toBe(`apiVersion: v1
clusters:
- cluster:
    server: https://5.6.7.8
  name: alpha
- cluster:
    certificate-authority: ca.crt
    server: https://1.2.3.4:6443
  name: zeta
contexts:
- context:
    cluster: zeta
    namespace: dev
    user: admin
  name: z
current-context: z
kind: Config
preferences: {}
users:
- name: admin
  user:
    token: abc
- name: jane
  user:
    client-certificate: /work/jane.crt
    client-key: pki/jane.key
`);
  });

  it("embeds certificates, and one authentication method clears the other", async () => {
    const files = { "/root/.kube/config": start, "/work/jane.crt": "CERT\n" };
    await run(["set-credentials", "jane", "--client-certificate=jane.crt", "--embed-certs"], files);
    await run(["set-credentials", "admin", "--username=u", "--password=p"], files);
    expect(files["/root/.kube/config"]).toContain(
      "- name: admin\n  user:\n    password: p\n    username: u\n- name: jane\n  user:\n    client-certificate-data: Q0VSVAo=\n",
    );
  });

  it.each([
    {
      name: "two authentication methods",
      args: ["set-credentials", "x", "--token=t", "--username=u"],
      stderr:
        "error: you cannot specify more than one authentication method at the same time: --token, --username/--password\n",
    },
    {
      name: "a file to embed that is not there",
      args: ["set-credentials", "x", "--client-certificate=nope.crt", "--embed-certs"],
      stderr: "error: could not stat client-certificate file nope.crt: stat nope.crt: no such file or directory\n",
    },
    {
      name: "an unknown top-level property",
      args: ["set", "x", "y"],
      stderr: "error: unable to parse x after [] at api.Config\n",
    },
    {
      name: "a bool that is not one",
      args: ["set", "clusters.zeta.insecure-skip-tls-verify", "maybe"],
      stderr: 'error: strconv.ParseBool: parsing "maybe": invalid syntax\n',
    },
    {
      name: "unset of a missing key",
      args: ["unset", "contexts.nope.cluster"],
      stderr: "error: current map key `nope` is invalid\n",
    },
    {
      name: "a user to delete that is not there",
      args: ["delete-user", "nope"],
      stderr: "error: cannot delete user nope, not in /root/.kube/config\n",
    },
    {
      name: "set-context without a name",
      args: ["set-context"],
      stderr: "error: you must specify a non-empty context name or --current\n",
    },
  ])("fails as kubectl does: $name", async ({ args, stderr }) => {
    const result = await run(args, { "/root/.kube/config": start });
    expect(result.stderr).toBe(stderr);
    expect(result.status).toBe(1);
  });

  it("set walks map keys with dots, creating the entry", async () => {
    const files = { "/root/.kube/config": start };
    expect((await run(["set", "contexts.a.b.c.cluster", "zeta"], files)).stdout).toBe(
      'Property "contexts.a.b.c.cluster" set.\n',
    );
    expect(files["/root/.kube/config"]).toContain('- context:\n    cluster: zeta\n    user: ""\n  name: a.b.c\n');
  });

  it("set-context says created for a new context and modified for an existing one", async () => {
    const files = { "/root/.kube/config": start };
    expect((await run(["set-context", "new", "--cluster=alpha", "--user=admin"], files)).stdout).toBe(
      'Context "new" created.\n',
    );
    expect((await run(["set-context", "new", "--namespace=ns"], files)).stdout).toBe('Context "new" modified.\n');
  });

  it("writes a changed stanza into the $KUBECONFIG file it came from and a new one into the first existing file", async () => {
    const other = "clusters:\n- name: c1\n  cluster: {server: https://other}\n";
    const files: Record<string, string> = { "/a": start, "/b": other };
    await run(["set-cluster", "c1", "--server=https://11"], files, { KUBECONFIG: "/missing:/b:/a" });
    await run(["set-credentials", "n", "--token=t"], files, { KUBECONFIG: "/missing:/b:/a" });
    expect(files["/b"]).toBe(`apiVersion: v1
clusters:
- cluster:
    server: https://11
  name: c1
contexts: null
current-context: ""
kind: Config
preferences: {}
users:
- name: "n"
  user:
    token: t
`);
    expect(files["/a"]).toBe(start);
  });
});
