/** The shell's editors: vi and vim open the vi flavour, nano the nano one. */
const editors: Record<string, "vi" | "nano"> = {
  vi: "vi",
  vim: "vi",
  "vim.basic": "vi",
  "vim.tiny": "vi",
  nano: "nano",
};

/** Where a kubeadm node (Ubuntu, merged /usr) has them. */
const binDirectories = new Set(["/usr/bin", "/bin"]);

/**
 * The editor `kubectl edit` opens, chosen as kubectl's editor package chooses: `$KUBE_EDITOR`, then
 * `$EDITOR`, then vi; the value split on spaces (options such as `vim -u NONE` are ignored), or run
 * through `$SHELL -c` when it has quotes or backslashes. An editor the node has not got gives
 * kubectl's errors: `unable to launch the editor` for a name not on the PATH, `there was a problem
 * with the editor` when the command ran and failed (a missing path, a shell that found nothing).
 */
export function chooseEditor(env: Record<string, string | undefined>): { flavour: "vi" | "nano" } | { error: string } {
  const value = env.KUBE_EDITOR || env.EDITOR || "vi";
  let args: string[];
  let command: string;
  if (!value.includes(" ")) {
    args = [value];
    command = value;
  } else if (!/["'\\]/.test(value)) {
    args = value.split(" ");
    command = args[0] ?? "";
  } else {
    args = [env.SHELL || "/bin/bash", "-c", value];
    command =
      /^\s*(?:"([^"]*)"|'([^']*)'|(\S+))/
        .exec(value)
        ?.slice(1)
        .find((part) => part !== undefined) ?? "";
  }
  const slash = command.lastIndexOf("/");
  const name = command.slice(slash + 1);
  const flavour = editors[name];
  const known = flavour !== undefined && (slash < 0 || binDirectories.has(command.slice(0, slash)));
  if (known) return { flavour };
  const shown = args.join(" ");
  if (slash < 0 && args[1] !== "-c") return { error: `unable to launch the editor "${shown}"` };
  return { error: `there was a problem with the editor "${shown}"` };
}
