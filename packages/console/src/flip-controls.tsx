import { useState } from "preact/hooks";
import { seg } from "./api";
import { ChangeNote, useChangeControl } from "./change-note";
import { FlipDialog } from "./flip-dialog";
import { useApi } from "./session-context";
import { ActionError, useAction } from "./use-action";
import type { ZoneDetail } from "./wire";

/** Flipping the zone behind the drain guard, and rolling it back to logging in one action. */
export function FlipControls({ zone, onChange }: { zone: ZoneDetail; onChange: () => void }) {
  const control = useChangeControl("flip-why");
  const [open, setOpen] = useState(false);
  return (
    <section aria-labelledby="flip">
      <h2 id="flip">Mode</h2>
      <ChangeNote id="flip-why" />
      <button type="button" {...control} onClick={() => { setOpen(true); }}>Flip the zone…</button>
      {open && <FlipDialog zone={zone} onClose={() => { setOpen(false); }} onChange={onChange} />}
      {zone.mode !== "logging" && <Rollback zone={zone.name} onChange={onChange} />}
    </section>
  );
}

function Rollback({ zone, onChange }: { zone: string; onChange: () => void }) {
  const api = useApi();
  const control = useChangeControl("flip-why");
  const action = useAction();
  const [reason, setReason] = useState("");
  const rollBack = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (await action.run(() => api("POST", `/v1/zones/${seg(zone)}/flip`, { to: "logging", reason }))) {
      setReason("");
      onChange();
    }
  };
  return (
    <form class="inline" onSubmit={(event) => { void rollBack(event); }}>
      <label for="rollback-reason">Reason to roll back</label>
      <input id="rollback-reason" required value={reason} onInput={(e) => { setReason(e.currentTarget.value); }} {...control} />
      <button type="submit" class="danger" {...control} disabled={control.disabled || action.busy}>Roll back to logging</button>
      <ActionError action={action} />
    </form>
  );
}
