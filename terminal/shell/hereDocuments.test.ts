import { describe, expect, it } from "vitest";
import { hasOpenHereDocument } from "./hereDocuments";
import { isIncomplete } from "./Shell";

describe("isIncomplete: when bash reads another line", () => {
  it.each([
    { name: "a here-string", text: "grep -o b <<< abc", incomplete: false },
    { name: "a here-string without blanks", text: "cat<<<hello", incomplete: false },
    { name: "a quoted here-string", text: "tee t.txt <<< 'teed'", incomplete: false },
    { name: "<< inside double quotes", text: 'echo "a <<EOF b"', incomplete: false },
    { name: "<< inside single quotes", text: "echo 'a <<EOF b'", incomplete: false },
    { name: "an escaped <<", text: "echo \\<<EOF", incomplete: false },
    { name: "a shift in $((…))", text: "echo $((1<<x))", incomplete: false },
    { name: "a shift in nested arithmetic", text: "echo $(( (1+1) << y ))", incomplete: false },
    { name: "<< in a comment", text: "echo hi # cat <<EOF", incomplete: false },
    { name: "a here-document without its terminator", text: "cat <<EOF\nline", incomplete: true },
    { name: "a here-document and its terminator", text: "cat <<EOF\nline\nEOF", incomplete: false },
    { name: "a quoted terminator", text: "cat <<'EOF'\n$x\nEOF", incomplete: false },
    { name: "a double-quoted terminator, still open", text: 'cat <<"END"\nx', incomplete: true },
    { name: "<<- strips tabs from the terminator", text: "cat <<-EOF\n\tx\n\tEOF", incomplete: false },
    { name: "two here-documents, one closed", text: "cat <<A <<B\na\nA\nb", incomplete: true },
    { name: "two here-documents, both closed", text: "cat <<A <<B\na\nA\nb\nB", incomplete: false },
    { name: "a here-document in $(…)", text: "x=$(cat <<EOF\nhi", incomplete: true },
    { name: "a here-string then a here-document", text: "cat <<< a; cat <<EOF\nb", incomplete: true },
    { name: "the body is not scanned", text: "cat <<EOF\necho 'unbalanced <<X\nEOF", incomplete: false },
    { name: "an open quote", text: 'echo "abc', incomplete: true },
    { name: "a trailing pipe", text: "echo a |", incomplete: true },
  ])("$name", ({ text, incomplete }) => {
    expect(isIncomplete(text)).toBe(incomplete);
  });

  it("reads the here-document operator as bash's tokenizer does", () => {
    expect(hasOpenHereDocument("kubectl apply -f - <<EOF")).toBe(true);
    expect(hasOpenHereDocument("echo $'it\\'s <<EOF'")).toBe(false);
  });
});
