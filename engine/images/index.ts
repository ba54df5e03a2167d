export type {
  EntrypointProgram,
  FixedResponse,
  HttpBehaviour,
  ImageConfig,
  ImageDefinition,
  ListenDefinition,
  PauseProgram,
  ProgramDefinition,
  ServerProgram,
  StressProgram,
  TagDefinition,
  TcpBehaviour,
} from "./ImageDefinition";
export { type ImageReference, InvalidImageReference, familiarName, parseImageReference } from "./ImageReference";
export { ImageCatalog, type ResolvedImage, type ResolveFailure, defaultImages } from "./ImageCatalog";
export { kubernetesVersion } from "./catalog/systemImages";
export { operatingSystemFiles } from "./osFiles";
export { stableHex64 } from "./digest";
