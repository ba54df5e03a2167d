import type { Command } from "../Command";
import { applyCommand } from "./apply";
import { attachCommand } from "./attach";
import { certificateCommand } from "./certificate";
import { configCommand } from "./config";
import { createCommand } from "./create";
import { debugCommand } from "./debug";
import { deleteCommand } from "./delete";
import { describeCommand } from "./describe";
import { editCommand } from "./edit";
import { getCommand } from "./get";
import { apiResourcesCommand, apiVersionsCommand, clusterInfoCommand, completionCommand, versionCommand } from "./info";
import { kustomizeCommand } from "./kustomize";
import {
  annotateCommand,
  cordonCommand,
  drainCommand,
  labelCommand,
  patchCommand,
  replaceCommand,
  taintCommand,
  uncordonCommand,
} from "./metadata";
import { authCommand, diffCommand, eventsCommand, explainCommand, optionsCommand, waitCommand } from "./misc";
import { cpCommand, execCommand, logsCommand, topCommand } from "./pods";
import { portForwardCommand } from "./portForward";
import { proxyCommand } from "./proxy";
import { runCommand } from "./run";
import { autoscaleCommand, exposeCommand, rolloutCommand, scaleCommand, setCommand } from "./workloads";

/** Every kubectl command (cobra's command list; help groups them as kubectl does). */
export function allCommands(): Command[] {
  return [
    createCommand,
    exposeCommand,
    runCommand,
    setCommand,
    explainCommand,
    getCommand,
    editCommand,
    deleteCommand,
    rolloutCommand,
    scaleCommand,
    autoscaleCommand,
    certificateCommand,
    clusterInfoCommand,
    topCommand,
    cordonCommand,
    uncordonCommand,
    drainCommand,
    taintCommand,
    describeCommand,
    logsCommand,
    attachCommand,
    execCommand,
    portForwardCommand,
    proxyCommand,
    cpCommand,
    authCommand,
    debugCommand,
    eventsCommand,
    diffCommand,
    applyCommand,
    patchCommand,
    replaceCommand,
    waitCommand,
    kustomizeCommand,
    labelCommand,
    annotateCommand,
    completionCommand,
    apiResourcesCommand,
    apiVersionsCommand,
    configCommand,
    versionCommand,
    optionsCommand,
  ];
}
