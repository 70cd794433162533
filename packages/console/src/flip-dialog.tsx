import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, seg } from "./api";
import { useApi } from "./session-context";
import { ActionError, useAction } from "./use-action";
import type { Mode, ZoneDetail } from "./wire";

const MODES: readonly Mode[] = ["enforcement", "logging", "off"];

/**
 * A flip behind the drain guard. A refusal (409 not_drained) shows the blockers the server gave;
 * only then can the flip be forced, and a forced flip is recorded as forced, with its reason.
 */
export function FlipDialog({ zone, onClose, onChange }: { zone: ZoneDetail; onClose: () => void; onChange: () => void }) {
  const api = useApi();
  const action = useAction();
  const dialog = useRef<HTMLDialogElement>(null);
  const [to, setTo] = useState<Mode>(MODES.find((mode) => mode !== zone.mode) ?? "enforcement");
  const [reason, setReason] = useState("");
  const [force, setForce] = useState(false);
  useEffect(() => { dialog.current?.showModal(); }, []);
  const refusal = action.error instanceof ApiError && action.error.code === "not_drained" ? action.error : undefined;
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (await action.run(() => api("POST", `/v1/zones/${seg(zone.name)}/flip`, { to, reason, force }))) {
      onChange();
      onClose();
    }
  };
  return (
    <dialog ref={dialog} aria-labelledby="flip-title" onClose={onClose}>
      <form class="stacked" onSubmit={(event) => { void submit(event); }}>
        <h2 id="flip-title">Flip zone {zone.name}</h2>
        <p>Now in <strong>{zone.mode}</strong>.</p>
        <p>
          <label for="flip-to">New mode</label>
          <select id="flip-to" value={to} onChange={(e) => { setTo(e.currentTarget.value as Mode); setForce(false); }}>
            {MODES.filter((mode) => mode !== zone.mode).map((mode) => <option key={mode} value={mode}>{mode}</option>)}
          </select>
        </p>
        <p>
          <label for="flip-reason">Reason (recorded in the zone's history and the audit trail)</label>
          <input id="flip-reason" required value={reason} onInput={(e) => { setReason(e.currentTarget.value); }} />
        </p>
        {refusal !== undefined ? (
          <div role="alert" class="refusal">
            <p><strong>Refused: the zone is not drained.</strong> {refusal.flowsNewlyDenied !== undefined && `${refusal.flowsNewlyDenied} flows seen in the last 7 days would be newly denied.`}</p>
            <ul data-testid="flip-blockers">{refusal.blockers.map((blocker) => <li key={blocker}>{blocker}</li>)}</ul>
            <p class="check">
              <input id="flip-force" type="checkbox" checked={force} onChange={(e) => { setForce(e.currentTarget.checked); }} />
              <label for="flip-force">Force the flip despite these blockers (recorded as forced)</label>
            </p>
          </div>
        ) : (
          <ActionError action={action} />
        )}
        <p class="buttons">
          <button type="submit" class={force ? "danger" : ""} disabled={action.busy}>{force ? `Force flip to ${to}` : `Flip to ${to}`}</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </p>
      </form>
    </dialog>
  );
}
