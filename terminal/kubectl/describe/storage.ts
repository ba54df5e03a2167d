import type { KubeObject } from "../commands/common";
import { type Any, type DescribeContext, describeEvents, searchEvents } from "./context";
import { DescribeWriter, formatLabelMap } from "./format";

/** printBoolPtr. */
function boolPointer(value: unknown): string {
  if (value === undefined || value === null) return "<unset>";
  return value ? "True" : "False";
}

/** storageutil.IsDefaultAnnotationText. */
function isDefaultClassText(annotations: Record<string, string> | undefined): string {
  const value =
    annotations?.["storageclass.kubernetes.io/is-default-class"] ??
    annotations?.["storageclass.beta.kubernetes.io/is-default-class"];
  return value === "true" ? "Yes" : "No";
}

/** StorageClassDescriber. Annotations print as labels.FormatLabels, last-applied included. */
export async function describeStorageClass(context: DescribeContext, storageClass: KubeObject): Promise<string> {
  const events = await searchEvents(context, storageClass);
  const w = new DescribeWriter();
  const object = storageClass as Any;
  w.write(0, `Name:\t${object.metadata?.name ?? ""}\n`);
  w.write(0, `IsDefaultClass:\t${isDefaultClassText(object.metadata?.annotations)}\n`);
  w.write(0, `Annotations:\t${formatLabelMap(object.metadata?.annotations)}\n`);
  w.write(0, `Provisioner:\t${object.provisioner ?? ""}\n`);
  w.write(0, `Parameters:\t${formatLabelMap(object.parameters)}\n`);
  w.write(0, `AllowVolumeExpansion:\t${boolPointer(object.allowVolumeExpansion)}\n`);
  const mountOptions: string[] = object.mountOptions ?? [];
  if (mountOptions.length === 0) w.write(0, "MountOptions:\t<none>\n");
  else {
    w.write(0, "MountOptions:\n");
    for (const option of mountOptions) w.write(1, `${option}\n`);
  }
  if (object.reclaimPolicy) w.write(0, `ReclaimPolicy:\t${object.reclaimPolicy}\n`);
  if (object.volumeBindingMode) w.write(0, `VolumeBindingMode:\t${object.volumeBindingMode}\n`);
  if (object.allowedTopologies) {
    const topologies: Any[] = object.allowedTopologies;
    w.write(0, "AllowedTopologies:\t");
    if (topologies.length === 0) w.write(0, "<none>\n");
    else {
      w.write(0, "\n");
      topologies.forEach((term, index) => {
        // printTopologySelectorTermsMultilineWithIndent
        w.write(1, `Term ${index}:\t`);
        const requirements: Any[] = term.matchLabelExpressions ?? [];
        if (requirements.length === 0) w.write(0, "<none>\n");
        requirements.forEach((requirement, position) => {
          if (position !== 0) w.write(1, "\t");
          const values: string[] = requirement.values ?? [];
          w.write(0, `${requirement.key} in${values.length > 0 ? ` [${values.join(", ")}]` : ""}\n`);
        });
      });
    }
  }
  describeEvents(w, events, context.now);
  return w.toString();
}
