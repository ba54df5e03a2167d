export { KeyValueStore, CompactedError, FutureRevisionError, SnapshotCorruptError } from "./KeyValueStore";
export type {
  KeyValue,
  StoreEvent,
  RangeOptions,
  RangeResult,
  Compare,
  TxnOp,
  TxnOpResult,
  TxnRequest,
  TxnResponse,
  WatchOptions,
  WatchListener,
  KeyValueStoreOptions,
} from "./KeyValueStore";
