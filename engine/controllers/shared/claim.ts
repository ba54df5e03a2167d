import type { GroupVersionResource, KubeObject } from "../../api/types";
import type { Client } from "../../client/Client";
import type { Selector } from "./labels";
import { controllerOf, newControllerRef } from "./ownerReferences";

/** Objects a controller walks through before it gives the rest of the process a turn. */
export const SCAN_CHUNK = 4096;

/**
 * controller.BaseControllerRefManager.ClaimObject for a list: keeps what `owner` already controls
 * and still matches, adopts matching orphans (adding a controller reference), and releases what it
 * controls but no longer matches (removing the reference). Objects controlled by someone else are
 * left alone — that is how two controllers with overlapping selectors stay out of each other's way.
 * Returns the claimed objects as they are after any adoption. With `yieldTurn`, a long list is
 * walked in turns of {@link SCAN_CHUNK} objects so a 100,000-pod owner never holds the event loop.
 */
export async function claimObjects<T extends KubeObject>(
  client: Client,
  gvr: GroupVersionResource,
  owner: KubeObject,
  selector: Selector,
  candidates: readonly T[],
  canAdopt: () => Promise<boolean>,
  yieldTurn?: () => Promise<void>,
): Promise<T[]> {
  const claimed: T[] = [];
  let adoptionChecked: boolean | undefined;
  const ownerUid = owner.metadata.uid;
  for (let i = 0; i < candidates.length; i++) {
    if (yieldTurn && i > 0 && i % SCAN_CHUNK === 0) await yieldTurn();
    const object = candidates[i];
    const reference = controllerOf(object);
    if (reference) {
      if (reference.uid !== ownerUid) continue;
      if (selector.matches(object.metadata.labels)) {
        claimed.push(object);
        continue;
      }
      if (owner.metadata.deletionTimestamp) continue;
      await release(client, gvr, object, ownerUid ?? "");
      continue;
    }
    if (owner.metadata.deletionTimestamp || !selector.matches(object.metadata.labels)) continue;
    if (object.metadata.deletionTimestamp) continue;
    if (owner.metadata.namespace && object.metadata.namespace !== owner.metadata.namespace) continue;
    if (adoptionChecked === undefined) adoptionChecked = await canAdopt();
    if (!adoptionChecked) continue;
    const adopted = await adopt(client, gvr, object, owner);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function adopt<T extends KubeObject>(
  client: Client,
  gvr: GroupVersionResource,
  object: T,
  owner: KubeObject,
): Promise<T | undefined> {
  const references = [...(object.metadata.ownerReferences ?? []), newControllerRef(owner)];
  try {
    return await client.patch<T>(gvr, object.metadata.namespace, object.metadata.name ?? "", "merge", {
      metadata: {
        ownerReferences: references,
        resourceVersion: object.metadata.resourceVersion,
        uid: object.metadata.uid,
      },
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function release(client: Client, gvr: GroupVersionResource, object: KubeObject, ownerUid: string): Promise<void> {
  const references = (object.metadata.ownerReferences ?? []).filter((reference) => reference.uid !== ownerUid);
  try {
    await client.patch(gvr, object.metadata.namespace, object.metadata.name ?? "", "merge", {
      metadata: {
        ownerReferences: references.length ? references : null,
        resourceVersion: object.metadata.resourceVersion,
        uid: object.metadata.uid,
      },
    });
  } catch (error) {
    // Gone or changed meanwhile (its next event resyncs us); upstream ignores NotFound and Invalid here.
    if (isNotFound(error) || isReason(error, "Invalid") || isReason(error, "Conflict")) return;
    throw error;
  }
}

/** Whether an error from the client is an ApiError with `reason`. */
export function isReason(error: unknown, reason: string): boolean {
  return typeof error === "object" && error !== null && (error as { reason?: string }).reason === reason;
}

export function isNotFound(error: unknown): boolean {
  return isReason(error, "NotFound");
}

export function isConflict(error: unknown): boolean {
  return isReason(error, "Conflict");
}

export function isAlreadyExists(error: unknown): boolean {
  return isReason(error, "AlreadyExists");
}

/** Whether the API refused a write because the namespace is being deleted. */
export function isNamespaceTerminating(error: unknown): boolean {
  const causes = (error as { details?: { causes?: Array<{ reason?: string }> } })?.details?.causes ?? [];
  return causes.some((cause) => cause.reason === "NamespaceTerminating");
}
