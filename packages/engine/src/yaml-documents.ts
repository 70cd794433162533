import { LineCounter, isAlias, isScalar, parseAllDocuments } from "yaml";
import type { Document, Node } from "yaml";
import type { BundleError, SourceFile } from "./types";

/**
 * One YAML document of a bundle file, with what every validator needs to report an error at
 * the right `file:line`. Errors go to a shared list so loading collects all of them.
 */
export class DocumentContext {
  constructor(
    readonly file: string,
    readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly lineCount: number,
    private readonly errors: BundleError[],
  ) {}

  /** 1-based line of a node (or of an offset), clamped to the file so end-of-input errors stay clickable. */
  line(at: Node | number | null | undefined): number {
    const offset = typeof at === "number" ? at : (at?.range?.[0] ?? 0);
    return Math.min(this.lines.linePos(offset).line, this.lineCount);
  }

  /** Records a rejection at `line`. */
  report(line: number, message: string): void {
    this.errors.push({ file: this.file, line, message });
  }

  /** Follows an alias (`*anchor`) to the node it names, so validators see plain nodes. */
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.document) : node;
  }
}

/**
 * Parses every file (sorted by path) into documents as YAML 1.2. Syntax errors are reported
 * with their line and the broken document is skipped; empty documents are dropped.
 */
export function readDocuments(files: readonly SourceFile[], errors: BundleError[]): DocumentContext[] {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const contexts: DocumentContext[] = [];
  for (const file of sorted) {
    const lines = new LineCounter();
    const lineCount = Math.max(1, file.content.split("\n").length - (file.content.endsWith("\n") ? 1 : 0));
    const documents = parseAllDocuments(file.content, { lineCounter: lines, prettyErrors: false });
    for (const document of documents) {
      const context = new DocumentContext(file.path, document, lines, lineCount, errors);
      if (document.errors.length > 0) {
        for (const error of document.errors) {
          context.report(context.line(error.pos[0]), `YAML syntax error: ${error.message}`);
        }
        continue;
      }
      const contents = document.contents;
      if (contents === null || (isScalar(contents) && contents.value === null)) continue;
      contexts.push(context);
    }
  }
  return contexts;
}
