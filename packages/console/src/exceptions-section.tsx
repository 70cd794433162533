import { seg } from "./api";
import { ChangeNote, useChangeControl } from "./change-note";
import { ExceptionForm } from "./exception-form";
import { timeLeft, utc } from "./format";
import { useApi } from "./session-context";
import { ActionError, useAction } from "./use-action";
import type { Exception } from "./wire";

/** The zone's active exceptions with the time each has left, revoking one, and granting a new one. */
export function ExceptionsSection({ zone, exceptions, onChange }: { zone: string; exceptions: readonly Exception[]; onChange: () => void }) {
  return (
    <section aria-labelledby="exceptions">
      <h2 id="exceptions">Exceptions</h2>
      <ChangeNote id="exceptions-why" />
      {exceptions.length === 0 ? <p>No active exceptions.</p> : (
        <table data-testid="exceptions">
          <thead><tr><th scope="col">Producer</th><th scope="col">Sink</th><th scope="col">Justification</th><th scope="col">Approver</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {exceptions.map((exception) => <ExceptionRow key={exception.id} exception={exception} onChange={onChange} />)}
          </tbody>
        </table>
      )}
      <ExceptionForm zone={zone} onChange={onChange} />
    </section>
  );
}

function ExceptionRow({ exception, onChange }: { exception: Exception; onChange: () => void }) {
  const api = useApi();
  const control = useChangeControl("exceptions-why");
  const action = useAction();
  const revoke = async (): Promise<void> => {
    if (await action.run(() => api("DELETE", `/v1/exceptions/${seg(exception.id)}`))) onChange();
  };
  return (
    <tr>
      <td>{exception.producer}</td>
      <td>{exception.sink}</td>
      <td>{exception.justification}</td>
      <td>{exception.approver}</td>
      <td title={utc(exception.expiresAt)}>{timeLeft(exception.expiresAt)}</td>
      <td>
        <button type="button" {...control} disabled={control.disabled || action.busy} onClick={() => { void revoke(); }} aria-label={`Revoke the exception for ${exception.producer} to ${exception.sink}`}>Revoke</button>
        <ActionError action={action} />
      </td>
    </tr>
  );
}
