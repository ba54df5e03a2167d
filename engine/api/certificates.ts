/** certificates.k8s.io/v1 object shapes (plain JSON as on the wire). */
import type { KubeObject } from "./types";

export interface CertificateSigningRequestCondition {
  type: "Approved" | "Denied" | "Failed" | string;
  status: "True" | "False" | "Unknown" | string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    /** The PEM-encoded PKCS#10 request, base64 on the wire (a `[]byte` field). */
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: string[];
    /** Set by the API server from the requesting user; ignored when a client sends them. */
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: {
    conditions?: CertificateSigningRequestCondition[];
    /** The issued certificate, PEM, base64 on the wire. */
    certificate?: string;
  };
}
