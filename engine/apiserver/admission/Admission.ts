import type { KubeObject } from "../../api/types";
import type { Clock } from "../../clock/Clock";
import type { ResourceDefinition } from "../ResourceDefinition";
import type { UserInfo } from "../ResourceRequest";

/** What an admission plugin sees about one write, as upstream's `admission.Attributes`. */
export interface AdmissionAttributes {
  operation: "CREATE" | "UPDATE" | "DELETE";
  definition: ResourceDefinition;
  subresource?: string;
  namespace?: string;
  name: string;
  /** The object being written (mutable in `admit`); absent for DELETE. */
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
  user: UserInfo;
}

/** Reads of the cluster's current state an admission plugin may make. */
export interface AdmissionContext {
  clock: Clock;
  random(): number;
  get(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(group: string, resource: string, namespace: string | undefined): KubeObject[];
  /** Writes status back (ResourceQuota usage), bypassing admission. Not called for dry runs. */
  updateStatus(group: string, resource: string, object: KubeObject): void;
}

/**
 * An admission plugin: `admit` may change the object (mutating admission, run before the
 * strategy's validation), `validate` may only reject it by throwing an ApiError (validating
 * admission, run last before storage).
 */
export interface AdmissionPlugin {
  name: string;
  admit?(attributes: AdmissionAttributes, context: AdmissionContext): void;
  validate?(attributes: AdmissionAttributes, context: AdmissionContext): void;
}
