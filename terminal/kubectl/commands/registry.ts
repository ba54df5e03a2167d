import type { Command } from "../Command";
import { configCommand } from "./config";
import { createCommand } from "./create";
import { getCommand } from "./get";
import { apiResourcesCommand, apiVersionsCommand, clusterInfoCommand, completionCommand, versionCommand } from "./info";

/** Every kubectl command, in kubectl's order. */
export function allCommands(): Command[] {
  return [createCommand, getCommand, clusterInfoCommand, completionCommand, apiResourcesCommand, apiVersionsCommand, configCommand, versionCommand];
}
