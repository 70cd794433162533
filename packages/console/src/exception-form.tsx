import { useState } from "preact/hooks";
import { seg } from "./api";
import { useChangeControl } from "./change-note";
import { useApi } from "./session-context";
import { ActionError, useAction } from "./use-action";

const EMPTY = { producer: "", sink: "", justification: "", expires: "" };

/**
 * Grants a time-boxed exception. The control plane refuses an expiry past the bundle's
 * maxExceptionLifetime (90 days by default) and says so; the refusal is shown as it comes.
 */
export function ExceptionForm({ zone, onChange }: { zone: string; onChange: () => void }) {
  const api = useApi();
  const control = useChangeControl("exceptions-why");
  const action = useAction();
  const [fields, setFields] = useState(EMPTY);
  const field = (name: keyof typeof EMPTY, label: string) => (
    <p>
      <label for={`exception-${name}`}>{label}</label>
      <input id={`exception-${name}`} required value={fields[name]} {...control}
        onInput={(e) => { setFields({ ...fields, [name]: e.currentTarget.value }); }} />
    </p>
  );
  const grant = async (event: Event): Promise<void> => {
    event.preventDefault();
    // datetime-local is the browser's local time; the API takes RFC 3339 in UTC.
    const expiresAt = new Date(fields.expires).toISOString();
    const body = { producer: fields.producer, sink: fields.sink, justification: fields.justification, expiresAt };
    if (await action.run(() => api("POST", `/v1/zones/${seg(zone)}/exceptions`, body))) {
      setFields(EMPTY);
      onChange();
    }
  };
  return (
    <form class="stacked" aria-labelledby="grant-exception" onSubmit={(event) => { void grant(event); }}>
      <h3 id="grant-exception">Grant an exception</h3>
      {field("producer", "Producer (asset pattern, e.g. svc:checkout)")}
      {field("sink", "Sink (asset pattern, e.g. kafka:ads)")}
      {field("justification", "Justification")}
      <p>
        <label for="exception-expires">Expires (your local time)</label>
        <input id="exception-expires" type="datetime-local" required value={fields.expires} {...control}
          onInput={(e) => { setFields({ ...fields, expires: e.currentTarget.value }); }} />
      </p>
      <button type="submit" {...control} disabled={control.disabled || action.busy}>Grant exception</button>
      <ActionError action={action} />
    </form>
  );
}
