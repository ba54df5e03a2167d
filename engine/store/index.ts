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
  WatchIndex,
  WatchListener,
  WatchOptions,
  WatchTrigger,
} from "./KeyValueStore";
export { CompactedError, FutureRevisionError, KeyValueStore, SnapshotCorruptError } from "./KeyValueStore";
