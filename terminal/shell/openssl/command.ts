import { type Command as BashCommand, defineCommand, latin1FromBytes } from "just-bash";
import { runOpenssl } from "./openssl";

/**
 * `openssl` as a command of the learner's shell: files through the shell's file system (so on the
 * control plane /etc/kubernetes/pki/ca.crt and ca.key are the node's), relative to the working
 * directory.
 */
export function opensslCommand(now: () => number = Date.now): BashCommand {
  return defineCommand("openssl", async (args, ctx) => {
    const full = (path: string) => ctx.fs.resolvePath(ctx.cwd, path);
    return runOpenssl(args, {
      read: async (path) => {
        try {
          return Buffer.from(await ctx.fs.readFileBuffer(full(path)));
        } catch {
          return undefined;
        }
      },
      write: async (path, data) => {
        try {
          await ctx.fs.writeFile(full(path), Buffer.from(data, "latin1"));
          return true;
        } catch {
          return false;
        }
      },
      stdin: latin1FromBytes(ctx.stdin),
      now,
    });
  });
}
