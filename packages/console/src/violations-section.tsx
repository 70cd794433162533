import { useState } from "preact/hooks";
import { seg } from "./api";
import { ChangeNote, useChangeControl } from "./change-note";
import { ago } from "./format";
import { PollError } from "./poll-error";
import { useApi } from "./session-context";
import { ActionError, useAction } from "./use-action";
import type { Polled } from "./use-poll";
import type { Violation } from "./wire";
import { SinkAnnotation } from "./sink-annotation";

/** The zone's open violations, each with what can be done about it. */
export function ViolationsSection({ zone, polled, onChange }: { zone: string; polled: Polled<{ violations: Violation[] }>; onChange: () => void }) {
  const violations = polled.data?.violations;
  return (
    <section aria-labelledby="violations">
      <h2 id="violations">Open violations</h2>
      <PollError polled={polled} />
      <ChangeNote id="violations-why" />
      {violations === undefined ? <p class="loading">Loading…</p> : violations.length === 0 ? <p>No open violations.</p> : (
        <ul class="violations" data-testid="violations">
          {violations.map((violation) => <ViolationItem key={violation.id} zone={zone} violation={violation} onChange={onChange} />)}
        </ul>
      )}
    </section>
  );
}

function ViolationItem({ zone, violation, onChange }: { zone: string; violation: Violation; onChange: () => void }) {
  const api = useApi();
  const control = useChangeControl("violations-why");
  const action = useAction();
  const [note, setNote] = useState("");
  const noteId = `note-${violation.id}`;
  const markFixed = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (await action.run(() => api("POST", `/v1/violations/${seg(violation.id)}/fixed`, note.trim() === "" ? {} : { note: note.trim() }))) onChange();
  };
  return (
    <li data-violation={violation.id}>
      <p>
        <strong>{violation.producer} → {violation.sink}</strong> carrying {violation.labels.join(", ")}, rule <code>{violation.rule}</code>:
        {" "}{violation.count} decisions, first {ago(violation.firstSeen)}, last {ago(violation.lastSeen)}
        {violation.reopened > 0 && `, reopened ${violation.reopened} times`}.
      </p>
      <form class="inline" onSubmit={(event) => { void markFixed(event); }}>
        <label for={noteId}>Note</label>
        <input id={noteId} value={note} onInput={(e) => { setNote(e.currentTarget.value); }} placeholder="what was fixed" {...control} />
        <button type="submit" {...control} disabled={control.disabled || action.busy}>Mark fixed</button>
      </form>
      <ActionError action={action} />
      <SinkAnnotation zone={zone} sink={violation.sink} />
    </li>
  );
}
