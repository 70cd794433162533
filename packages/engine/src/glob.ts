/**
 * `*` globs without regular expressions: `*` matches any run of characters (none included),
 * everything else is literal. A glob is literal segments separated by stars, so a text matches
 * when the first segment is its prefix, the last its suffix, and the middle segments occur in
 * order in between. Finding each middle segment at its leftmost occurrence after the previous
 * one is always right for `*`-only globs (an earlier end leaves more room for the rest), so
 * matching is one `indexOf` per segment: no backtracking, however long the text.
 */

/** A compiled glob; build it with {@link compileGlob}. */
export interface Glob {
  /** The literal text before the first star. */
  readonly prefix: string;
  /** The non-empty literal segments between stars, in order. */
  readonly middle: readonly string[];
  /** The literal text after the last star. */
  readonly suffix: string;
  /** The shortest text the glob matches: every literal character once. */
  readonly minLength: number;
}

/** Compiles `pattern`, which holds at least one star (an exact id belongs in a Set, not here). */
export function compileGlob(pattern: string): Glob {
  const segments = pattern.split("*");
  const prefix = segments[0] ?? "";
  if (segments.length === 1) throw new Error(`compileGlob: ${JSON.stringify(pattern)} has no "*"; compare it as an exact id`);
  const suffix = segments[segments.length - 1] ?? "";
  const middle = segments.slice(1, -1).filter((segment) => segment !== "");
  const minLength = prefix.length + suffix.length + middle.reduce((sum, segment) => sum + segment.length, 0);
  return { prefix, middle, suffix, minLength };
}

/** True when `glob` matches the whole of `text`. O(text length × segments) at worst, no backtracking. */
export function matchesGlob(glob: Glob, text: string): boolean {
  const { prefix, suffix, middle } = glob;
  // The length check keeps prefix and suffix from overlapping (`ab*ba` must not match `aba`).
  if (text.length < glob.minLength || !text.startsWith(prefix) || !text.endsWith(suffix)) return false;
  const end = text.length - suffix.length;
  let from = prefix.length;
  for (let i = 0; i < middle.length; i++) {
    const segment = middle[i] as string;
    const at = text.indexOf(segment, from);
    if (at < 0 || at + segment.length > end) return false;
    from = at + segment.length;
  }
  return true;
}
