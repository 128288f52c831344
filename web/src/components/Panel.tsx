// A titled card on a page.
import type { ComponentChildren } from 'preact';

export function Panel(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; wide?: boolean }) {
  return (
    <section class={props.wide ? 'panel wide' : 'panel'} aria-label={props.title}>
      <header>
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}
