import type { Operation } from "fast-json-patch";
import * as fastJsonPatch from "fast-json-patch";
import { ApiError } from "../ApiError";

// Node's ESM loader exposes fast-json-patch's functions only on `default` (see ApiServer.ts).
const { applyPatch } = (fastJsonPatch as unknown as { default?: typeof fastJsonPatch }).default ?? fastJsonPatch;

/** Applies an RFC 6902 JSON patch document, turning failures into the API's 422. */
export function applyJsonPatchDocument(target: unknown, document: unknown): unknown {
  if (!Array.isArray(document))
    throw ApiError.badRequest("json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp");
  try {
    return applyPatch(target, document as Operation[], true, false).newDocument;
  } catch (error) {
    const text = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    throw new ApiError("Invalid", 422, "the server rejected our request due to an error in our request", {
      causes: [{ message: text }],
    });
  }
}
