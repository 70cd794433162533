import { canChange, useSession } from "./session-context";

/**
 * Under a group of change controls: for a viewer, why they are disabled. Controls point at it
 * with aria-describedby, so a screen reader says why too.
 */
export function ChangeNote({ id }: { id: string }) {
  const session = useSession();
  if (canChange(session)) return null;
  return (
    <p class="why" id={id}>
      Disabled: {session.me.subject} has the role {session.me.role}; changes need the role privacy-admin.
    </p>
  );
}

/** Props that disable a change control for a viewer and point at its {@link ChangeNote}. */
export function useChangeControl(noteId: string): { disabled: boolean; "aria-describedby"?: string } {
  const session = useSession();
  return canChange(session) ? { disabled: false } : { disabled: true, "aria-describedby": noteId };
}
