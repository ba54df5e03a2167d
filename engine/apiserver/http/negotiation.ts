/**
 * Accept-header negotiation as upstream's `negotiation` package does it for the kinds we serve:
 * plain JSON or YAML, server-side Tables (`as=Table;v=v1;g=meta.k8s.io`), PartialObjectMetadata,
 * and aggregated discovery (`as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io`).
 */

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
  quality: number;
}

/** Parses an Accept header into media ranges, highest quality first (stable for equal qualities). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const ranges: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [mediaType, ...paramParts] = part.split(";").map((piece) => piece.trim());
    if (!mediaType) continue;
    const [type, subtype = ""] = mediaType.toLowerCase().split("/");
    const params: Record<string, string> = {};
    let quality = 1;
    for (const param of paramParts) {
      const equals = param.indexOf("=");
      if (equals < 0) continue;
      const key = param.slice(0, equals).trim();
      const value = param
        .slice(equals + 1)
        .trim()
        .replace(/^"|"$/g, "");
      if (key === "q") quality = Number(value) || 0;
      else params[key] = value;
    }
    ranges.push({ type, subtype, params, quality });
  }
  return ranges
    .map((range, index) => ({ range, index }))
    .sort((a, b) => b.range.quality - a.range.quality || a.index - b.index)
    .map(({ range }) => range);
}

export type Encoding = "json" | "yaml";

export type ResponseTarget =
  | { kind: "object" }
  | { kind: "Table"; version: "v1" | "v1beta1" }
  | { kind: "PartialObjectMetadata" | "PartialObjectMetadataList"; version: "v1" | "v1beta1" };

export interface Negotiated {
  encoding: Encoding;
  target: ResponseTarget;
}

function encodingOf(range: MediaRange): Encoding | undefined {
  if ((range.type === "application" || range.type === "*") && (range.subtype === "json" || range.subtype === "*")) {
    return "json";
  }
  if (range.type === "*" && range.subtype === "*") return "json";
  if (range.type === "application" && range.subtype === "yaml") return "yaml";
  return undefined;
}

/**
 * Picks the response form for a resource request; undefined when nothing acceptable is offered
 * (the caller answers 406). An empty Accept means JSON objects.
 */
export function negotiateResource(accept: string | undefined, isList: boolean): Negotiated | undefined {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { encoding: "json", target: { kind: "object" } };
  for (const range of ranges) {
    if (range.quality <= 0) continue;
    const encoding = encodingOf(range);
    if (!encoding) continue;
    const as = range.params.as;
    if (!as) return { encoding, target: { kind: "object" } };
    if (range.params.g !== "meta.k8s.io") continue;
    const version = range.params.v;
    if (version !== "v1" && version !== "v1beta1") continue;
    if (as === "Table") return { encoding, target: { kind: "Table", version } };
    if (as === "PartialObjectMetadata" && !isList)
      return { encoding, target: { kind: "PartialObjectMetadata", version } };
    if (as === "PartialObjectMetadataList" && isList) {
      return { encoding, target: { kind: "PartialObjectMetadataList", version } };
    }
  }
  return undefined;
}

/** Which aggregated discovery version the client accepts, if any, in its order of preference. */
export function negotiateDiscovery(accept: string | undefined): "v2" | "v2beta1" | undefined {
  for (const range of parseAccept(accept)) {
    if (range.quality <= 0) continue;
    if (range.params.as === "APIGroupDiscoveryList" && range.params.g === "apidiscovery.k8s.io") {
      if (range.params.v === "v2" || range.params.v === "v2beta1") return range.params.v;
      continue;
    }
    if (encodingOf(range)) return undefined;
  }
  return undefined;
}

/** True when the Accept header allows plain JSON (or says nothing). */
export function acceptsJson(accept: string | undefined): boolean {
  const ranges = parseAccept(accept);
  return (
    ranges.length === 0 ||
    ranges.some((range) => range.quality > 0 && encodingOf(range) !== undefined && !range.params.as)
  );
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}
