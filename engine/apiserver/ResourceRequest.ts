import type { GroupVersionResource, KubeObject, Status, WatchEvent } from "../api/types";
import type { PatchType } from "../client/Client";

/** Who is calling: the learner's token maps to `kubernetes-admin` in group `system:masters`. */
export interface UserInfo {
  username: string;
  groups: string[];
  /** A service account's uid (its tokens' user), as upstream's user.Info GetUID. */
  uid?: string;
  /** What a service-account token adds (the pod it is bound to, its credential id). */
  extra?: Record<string, string[]>;
}

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

/**
 * One request to the API server's resource pipeline, independent of the transport: the HTTP layer
 * (`apiserver/http/`) parses a URL into this, the in-process client builds it directly. As
 * upstream's RequestInfo plus the decoded body and query options.
 */
export interface ResourceRequest {
  verb: Verb;
  gvr: GroupVersionResource;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** create/update/subresource POST: the decoded object. patch: the raw patch document (string). */
  body?: unknown;
  patchType?: PatchType;
  options: RequestOptions;
  user: UserInfo;
  /**
   * The client's User-Agent (`kubectl/v1.32.0 (linux/amd64) …`). When `options.fieldManager` is
   * unset, the field manager is its part before the first `/`, as upstream derives it (added by
   * the apiserver-core engineer).
   */
  userAgent?: string;
  /**
   * The caller only reads the result (the HTTP layer encodes it): get and list may answer the
   * shared, frozen objects decoded once per stored revision instead of fresh copies.
   */
  sharedResult?: boolean;
}

export interface RequestOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  force?: boolean;
  /** DeleteOptions, from the query or the body of a DELETE. */
  gracePeriodSeconds?: number;
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The result of a non-watch request: an object, a list, or a Status (delete). Warnings become `Warning:` headers. */
export interface ResourceResponse {
  status: number;
  body: KubeObject | Status;
  warnings?: string[];
}

export type WatchListener = (event: WatchEvent) => void;
