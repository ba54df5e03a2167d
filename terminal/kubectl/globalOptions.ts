import { globalFlags } from "./Command";
import { renderFlags } from "./help";

/** The text of `kubectl options`. */
export function renderGlobalOptionsText(): string {
  return `The following options can be passed to any command:\n\n${renderFlags(globalFlags)}`;
}
