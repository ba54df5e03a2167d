/**
 * The API server's public surface: the transport-independent request pipeline, the resource
 * registry for discovery/OpenAPI, errors, selectors and patch helpers. See README.md.
 */

export type { StatusReason } from "./ApiError";
export {
  ApiError,
  fieldErrorBody,
  isAlreadyExists,
  isApiError,
  isConflict,
  isNotFound,
  isResourceExpired,
  qualifiedKind,
  qualifiedResource,
  renderFieldError,
} from "./ApiError";
export type { ApiServer, ApiServerOptions } from "./ApiServer";
export { createApiServer } from "./ApiServer";
export type { AdmissionAttributes, AdmissionContext, AdmissionPlugin } from "./admission/Admission";
export { defaultAdmissionPlugins } from "./admission/plugins";
export { formatQuantity, parseQuantity } from "./admission/quantity";
export { accessReviewDefinitions } from "./auth/accessReviews";
export type { AuthorizationAttributes, AuthorizationDecision } from "./auth/rbacAuthorizer";
export { authorize, forbiddenError } from "./auth/rbacAuthorizer";
export { definitionFromCrd } from "./crd/CustomResources";
export { humanDuration } from "./crd/humanDuration";
export { evaluateJsonPath } from "./crd/jsonPath";
export type * from "./KubeletConnection";
export { KubeletRegistry } from "./KubeletRegistry";
export type { ListStrategy } from "./patch/listStrategies";
export { listStrategyFor } from "./patch/listStrategies";
export { applyMergePatch } from "./patch/mergePatch";
export { applyStrategicMergePatch, deepEqual } from "./patch/strategicMergePatch";
export type * from "./ResourceDefinition";
export type { ServedResource } from "./ResourceRegistry";
export { ResourceRegistry } from "./ResourceRegistry";
export type * from "./ResourceRequest";
export { storageKey, storagePrefix } from "./registry/objects";
export { scaleOf } from "./registry/subresources";
export type { FieldRequirement } from "./selectors/FieldSelector";
export { FieldSelectorParseError, fieldsMatch, parseFieldSelector } from "./selectors/FieldSelector";
export type { LabelRequirement, Selector } from "./selectors/LabelSelector";
export {
  everything,
  parseLabelSelector,
  SelectorParseError,
  selectorFromObject,
  selectorFromSet,
} from "./selectors/LabelSelector";
export { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from "./validation";
