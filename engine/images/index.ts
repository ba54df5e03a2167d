export { kubernetesVersion } from "./catalog/systemImages";
export { stableHex64 } from "./digest";
export { defaultImages, ImageCatalog, type ResolvedImage, type ResolveFailure } from "./ImageCatalog";
export type {
  ControlPlaneComponent,
  ControlPlaneProgram,
  EntrypointProgram,
  FixedResponse,
  HttpBehaviour,
  ImageConfig,
  ImageDefinition,
  IngressControllerProgram,
  ListenDefinition,
  PauseProgram,
  ProgramDefinition,
  ServerProgram,
  StressProgram,
  TagDefinition,
  TcpBehaviour,
} from "./ImageDefinition";
export { familiarName, type ImageReference, InvalidImageReference, parseImageReference } from "./ImageReference";
export { operatingSystemFiles, operatingSystemRelease } from "./osFiles";
