import type { Status } from "./Status";

/**
 * The FailedScheduling message, as upstream's `FitError.Error()`:
 * `0/3 nodes are available: <PreFilter message>.` or `0/3 nodes are available: 1 <reason>, 2 <reason>.`
 * (a histogram of filter reasons, sorted as strings), then the PostFilter message.
 * Nodes absent from `statuses` count under `absentStatus`.
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: Map<string, Status>,
  preFilterMessage: string,
  postFilterMessage: string,
  absentStatus?: Status,
): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (preFilterMessage) {
    message += ` ${preFilterMessage}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const status of statuses.values()) {
      for (const reason of status.reasons) histogram.set(reason, (histogram.get(reason) ?? 0) + 1);
    }
    if (statuses.size < numAllNodes && absentStatus) {
      for (const reason of absentStatus.reasons) {
        histogram.set(reason, (histogram.get(reason) ?? 0) + numAllNodes - statuses.size);
      }
    }
    const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort(compareGoStrings);
    if (parts.length > 0) message += ` ${parts.join(", ")}.`;
  }
  if (postFilterMessage) message += ` ${postFilterMessage}`;
  return message;
}

/** Go's sort.Strings compares bytes; for our ASCII reasons this is code-unit order. */
function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
