import type { ResourceDefinition } from "../apiserver/ResourceDefinition";
import { genericResources } from "../apiserver/testing/genericResources";

/**
 * The resources a cluster serves. Until engine/apiserver/resources/index.ts lands this is the
 * generic set (metadata behaviour only); then it is `builtinResources` from there.
 */
export const builtinResourceDefinitions: readonly ResourceDefinition[] = genericResources;
