import { base32, sha256 } from "./sha256";

const encoder = new TextEncoder();
const cache = new Map<string, string>();

/**
 * kube-proxy's `portProtoHash`: the first 16 characters of base32(sha256(servicePortName +
 * protocol)), protocol in lower case. `servicePortName` is `namespace/name:portName` (without
 * `:portName` for an unnamed port). The same input gives the same chain on every cluster, which
 * is why `KUBE-SVC-TCOU7JCQXEZGVUNU` (kube-dns's dns port) looks familiar.
 */
export function portProtoHash(servicePortName: string, protocol: string): string {
  const input = servicePortName + protocol;
  let hash = cache.get(input);
  if (!hash) {
    hash = base32(sha256(encoder.encode(input))).slice(0, 16);
    if (cache.size > 50_000) cache.clear();
    cache.set(input, hash);
  }
  return hash;
}

export const servicePortChain = (spn: string, protocol: string) => `KUBE-SVC-${portProtoHash(spn, protocol)}`;
export const serviceLocalChain = (spn: string, protocol: string) => `KUBE-SVL-${portProtoHash(spn, protocol)}`;
export const serviceExternalChain = (spn: string, protocol: string) => `KUBE-EXT-${portProtoHash(spn, protocol)}`;
export const serviceFirewallChain = (spn: string, protocol: string) => `KUBE-FW-${portProtoHash(spn, protocol)}`;

/** `servicePortEndpointChainName`: hashes servicePortName + protocol + `ip:port`. */
export function endpointChain(spn: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${portProtoHash(spn, protocol + endpoint)}`;
}
