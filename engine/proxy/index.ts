export { clusterDnsIp, clusterDomain, clusterFirstResolvConf } from "./ClusterDns";
export {
  type ClusterNetwork,
  createNetwork,
  type KubeProxyHost,
  type KubeProxyRules,
  type NetworkOptions,
  startKubeProxy,
} from "./createNetwork";
export type { NodeRules, Rule } from "./iptables";
export {
  type Connection,
  type ConnectionHandler,
  type ConnectOptions,
  type DnsAnswer,
  type HttpRequest,
  type HttpResponse,
  type Network,
  NetworkError,
  type NetworkSource,
  type NodeIptables,
} from "./Network";
export { defaultConnectTimeoutMs, SimulatedNetwork } from "./SimulatedNetwork";
