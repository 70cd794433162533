/**
 * "Annotate the sink": when the sink may hold the zone's data, it belongs among the zone's
 * members in the bundle (docs/reference/bundle-format.md). The exact YAML to add, to copy.
 */
export function SinkAnnotation({ zone, sink }: { zone: string; sink: string }) {
  const yaml = `kind: Zone\nname: ${zone}\nmembers:\n  # add to the zone's existing members:\n  - ${sink}\n`;
  return (
    <details>
      <summary>Annotate the sink: make {sink} a member of {zone}</summary>
      <p>In the bundle's Zone document named {zone}, add the sink to <code>members</code>, then push the bundle (<code>flowzone policy push</code>):</p>
      <pre data-testid="sink-yaml">{yaml}</pre>
      <button type="button" onClick={() => { void navigator.clipboard.writeText(yaml); }}>Copy YAML</button>
    </details>
  );
}
