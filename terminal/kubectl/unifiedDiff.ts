/**
 * A unified diff of two texts (GNU `diff -u` hunks with three lines of context), used by
 * `kubectl diff`. Lines are compared with an LCS table, which is fine for manifests.
 */
export function unifiedDiff(before: string, after: string): string {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      (lcs[i] as number[])[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
    }
  }
  type Op = { type: " " | "-" | "+"; text: string; aLine: number; bLine: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ type: " ", text: a[i] as string, aLine: i, bLine: j });
      i++;
      j++;
    } else if (
      i < a.length &&
      (j >= b.length || ((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number))
    ) {
      // Deletions come before insertions within a change, as GNU diff prints them.
      ops.push({ type: "-", text: a[i] as string, aLine: i, bLine: j });
      i++;
    } else {
      ops.push({ type: "+", text: b[j] as string, aLine: i, bLine: j });
      j++;
    }
  }
  const context = 3;
  let out = "";
  let index = 0;
  while (index < ops.length) {
    while (index < ops.length && (ops[index] as Op).type === " ") index++;
    if (index >= ops.length) break;
    let start = Math.max(0, index - context);
    let end = index;
    let lastChange = index;
    while (end < ops.length) {
      if ((ops[end] as Op).type !== " ") lastChange = end;
      if (end - lastChange > context * 2) break;
      end++;
    }
    end = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(start, end);
    const first = hunk[0] as Op;
    const aCount = hunk.filter((op) => op.type !== "+").length;
    const bCount = hunk.filter((op) => op.type !== "-").length;
    const aStart = aCount === 0 ? first.aLine : first.aLine + 1;
    const bStart = bCount === 0 ? first.bLine : first.bLine + 1;
    out += `@@ -${aStart}${aCount === 1 ? "" : `,${aCount}`} +${bStart}${bCount === 1 ? "" : `,${bCount}`} @@\n`;
    for (const op of hunk) out += `${op.type}${op.text}\n`;
    index = end;
    start = end;
  }
  return out;
}
