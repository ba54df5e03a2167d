export type {
  Compare,
  KeyValue,
  KeyValueStoreOptions,
  RangeOptions,
  RangeResult,
  StoreEvent,
  TxnOp,
  TxnOpResult,
  TxnRequest,
  TxnResponse,
  WatchListener,
  WatchOptions,
} from "./KeyValueStore";
export { CompactedError, FutureRevisionError, KeyValueStore, SnapshotCorruptError } from "./KeyValueStore";
