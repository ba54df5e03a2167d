import type https from "node:https";
import { describe, expect, it } from "vitest";
import type { KubectlIO } from "./KubectlIO";
import { loadKubeconfig } from "./kubeconfig";

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443
contexts:
- name: admin@c
  context: { cluster: c, user: admin }
current-context: admin@c
users:
- name: admin
  user:
    token: secret-token
`;

function io(files: Record<string, string>): KubectlIO {
  return {
    stdout: () => undefined,
    stderr: () => undefined,
    readStdin: async () => "",
    readFile: async (file) => {
      const text = files[file];
      if (text === undefined) throw new Error(`ENOENT: ${file}`);
      return text;
    },
    writeFile: async () => undefined,
    readDirectory: async () => undefined,
    env: { KUBECONFIG: "/root/.kube/config", HOME: "/root" },
  };
}

async function headersFor(overrides: Parameters<typeof loadKubeconfig>[1]) {
  const loaded = await loadKubeconfig(io({ "/root/.kube/config": kubeconfig, "/root/ca.crt": "CA" }), overrides);
  const options: https.RequestOptions = {};
  await loaded.connection.apply(options);
  return { options, key: loaded.connection.key };
}

describe("loadKubeconfig", () => {
  it("impersonates with --as, --as-group (one header each) and --as-uid, as client-go sends them", async () => {
    const { options } = await headersFor({
      impersonate: "jane",
      impersonateGroups: ["dev", "ops"],
      impersonateUid: "42",
    });
    expect(options.headers).toEqual({
      Authorization: "Bearer secret-token",
      "Impersonate-User": "jane",
      "Impersonate-Group": ["dev", "ops"],
      "Impersonate-Uid": "42",
    });
  });

  it("keeps clients apart per impersonated user, so a shell's shared client never acts as the wrong one", async () => {
    const admin = await headersFor({});
    const jane = await headersFor({ impersonate: "jane" });
    expect(admin.options.headers).toEqual({ Authorization: "Bearer secret-token" });
    expect(jane.key).not.toBe(admin.key);
  });

  it("refuses groups or a UID without a user, in client-go's words", async () => {
    await expect(headersFor({ impersonateGroups: ["dev"] })).rejects.toThrow(
      "error: requesting uid, groups or user-extra for admin without impersonating a user",
    );
  });

  it("applies the TLS and basic-auth flags over the kubeconfig", async () => {
    const { options } = await headersFor({
      certificateAuthority: "/root/ca.crt",
      tlsServerName: "kubernetes",
      username: "u",
      password: "p",
      token: "",
    });
    expect(options.ca?.toString()).toBe("CA");
    expect(options.servername).toBe("kubernetes");
    // A token in the kubeconfig wins over basic auth, as in client-go.
    expect(options.headers).toEqual({ Authorization: "Bearer secret-token" });
  });
});
