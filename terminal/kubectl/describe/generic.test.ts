import { describe, expect, it } from "vitest";
import { smartLabelFor } from "./generic";

describe("smartLabelFor", () => {
  it.each([
    { field: "apiVersion", label: "API Version" },
    { field: "uid", label: "UID" },
    { field: "resourceVersion", label: "Resource Version" },
    { field: "sizeGB", label: "Size GB" },
    { field: "colorHTTPName", label: "Color HTTP Name" },
    { field: "PDFLoader", label: "PDF Loader" },
    { field: "apiURL", label: "API URL" },
    { field: "my-field", label: "My - Field" },
    { field: "owner_ref", label: "owner_ref" },
    { field: "openAPIV3Schema", label: "openAPIV3Schema" },
    { field: "requests.cpu", label: "requests.cpu" },
  ])("labels $field as $label", ({ field, label }) => {
    expect(smartLabelFor(field)).toBe(label);
  });
});
