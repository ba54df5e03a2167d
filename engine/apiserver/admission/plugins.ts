import type { AdmissionPlugin } from "./Admission";
import { certificateSubjectRestriction } from "./certificateSubjectRestriction";
import { defaultIngressClassAdmission } from "./defaultIngressClass";
import { defaultStorageClassAdmission } from "./defaultStorageClass";
import { limitRanger } from "./limitRanger";
import { namespaceLifecycle } from "./namespaceLifecycle";
import { defaultTolerationSeconds, priorityAdmission, serviceAccountAdmission } from "./podAdmission";
import { resourceQuota } from "./resourceQuota";

/** The admission chain, in upstream's order for the plugins that matter to this cluster. */
export const defaultAdmissionPlugins: AdmissionPlugin[] = [
  namespaceLifecycle,
  limitRanger,
  serviceAccountAdmission,
  priorityAdmission,
  defaultTolerationSeconds,
  defaultStorageClassAdmission,
  defaultIngressClassAdmission,
  certificateSubjectRestriction,
  resourceQuota,
];
