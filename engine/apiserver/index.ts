/**
 * The API server's public surface: the transport-independent request pipeline, the resource
 * registry for discovery/OpenAPI, errors, selectors and patch helpers. See README.md.
 */
export { createApiServer } from "./ApiServer";
export type { ApiServer, ApiServerOptions } from "./ApiServer";
export {
  ApiError,
  isApiError,
  isNotFound,
  isAlreadyExists,
  isConflict,
  isResourceExpired,
  qualifiedKind,
  qualifiedResource,
  renderFieldError,
  fieldErrorBody,
} from "./ApiError";
export type { StatusReason } from "./ApiError";
export { ResourceRegistry } from "./ResourceRegistry";
export type { ServedResource } from "./ResourceRegistry";
export { KubeletRegistry } from "./KubeletRegistry";
export {
  parseLabelSelector,
  selectorFromObject,
  selectorFromSet,
  everything,
  SelectorParseError,
} from "./selectors/LabelSelector";
export type { Selector, LabelRequirement } from "./selectors/LabelSelector";
export { parseFieldSelector, fieldsMatch, FieldSelectorParseError } from "./selectors/FieldSelector";
export type { FieldRequirement } from "./selectors/FieldSelector";
export { applyMergePatch } from "./patch/mergePatch";
export { applyStrategicMergePatch, deepEqual } from "./patch/strategicMergePatch";
export { listStrategyFor } from "./patch/listStrategies";
export type { ListStrategy } from "./patch/listStrategies";
export { scaleOf } from "./registry/subresources";
export { storageKey, storagePrefix } from "./registry/objects";
export { humanDuration } from "./crd/humanDuration";
export { evaluateJsonPath } from "./crd/jsonPath";
export { definitionFromCrd } from "./crd/CustomResources";
export { defaultAdmissionPlugins } from "./admission/plugins";
export { authorize, forbiddenError } from "./auth/rbacAuthorizer";
export type { AuthorizationAttributes, AuthorizationDecision } from "./auth/rbacAuthorizer";
export { accessReviewDefinitions } from "./auth/accessReviews";
export type { AdmissionPlugin, AdmissionAttributes, AdmissionContext } from "./admission/Admission";
export { parseQuantity, formatQuantity } from "./admission/quantity";
export { isDns1123Label, isDns1123Subdomain, isDns1035Label, isQualifiedName, isValidLabelValue } from "./validation";
export type * from "./ResourceDefinition";
export type * from "./ResourceRequest";
export type * from "./KubeletConnection";
