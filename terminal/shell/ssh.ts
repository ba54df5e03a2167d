/** ssh's usage line (OpenSSH 9.6, Ubuntu 24.04). */
export const sshUsage =
  "usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]\n           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]\n           [-J destination] [-L address] [-l login_name] [-m mac_spec]\n           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]\n           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]\n           destination [command [argument ...]]\n";

const optionsWithValues = new Set("BbcDEeFIiJLlmOoPpRSWw".split(""));

/** Splits ssh's arguments into the destination host and the remote command. */
export function parseSshArguments(args: string[]): { host: string; command: string[] } | { error: string } {
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as string;
    if (arg === "--") {
      index++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    // Bundled flags: -tt, -qT; a flag taking a value takes the rest or the next word.
    let consumedNext = false;
    for (let position = 1; position < arg.length; position++) {
      const letter = arg[position] as string;
      if (optionsWithValues.has(letter)) {
        if (position === arg.length - 1) consumedNext = true;
        break;
      }
    }
    index += consumedNext ? 2 : 1;
  }
  const destination = args[index];
  if (destination === undefined) return { error: sshUsage };
  const host = destination.includes("@") ? destination.slice(destination.lastIndexOf("@") + 1) : destination;
  return { host: host.replace(/^ssh:\/\//, "").replace(/:\d+$/, ""), command: args.slice(index + 1) };
}
