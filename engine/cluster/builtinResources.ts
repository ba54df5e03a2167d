import type { ResourceDefinition } from "../apiserver/ResourceDefinition";
import { builtinResources } from "../apiserver/resources";

/** The resources a cluster serves: every built-in definition (engine/apiserver/resources). */
export const builtinResourceDefinitions: readonly ResourceDefinition[] = builtinResources;
