/**
 * Renders rows as aligned columns under upper-case headers, two spaces apart, the way kubectl
 * prints lists: readable in a terminal, and each column still greppable. The last column is
 * not padded, so free text (reasons, justifications) does not drag trailing spaces.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join("\n")}\n`;
}
