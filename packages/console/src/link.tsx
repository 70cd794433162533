import type { ComponentChildren } from "preact";
import { navigate } from "./route";

/** A link inside the console: changes the page without reloading; modified clicks open a tab as usual. */
export function Link({ href, children }: { href: string; children: ComponentChildren }) {
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={onClick}>{children}</a>;
}
