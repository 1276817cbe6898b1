/**
 * A tiny element builder: every text goes through `textContent`, never `innerHTML`, so data from
 * the API can never become markup.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  role?: string;
  title?: string;
  /** `aria-*`, `data-*` and other attributes. */
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  if (props.role) el.setAttribute('role', props.role);
  if (props.title) el.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) setAttr(el, name, value);
  for (const [event, handler] of Object.entries(props.on ?? {})) {
    el.addEventListener(event, handler as EventListener);
  }
  append(el, ...children);
  return el;
}

export function setAttr(el: Element, name: string, value: string | number | boolean | undefined) {
  if (value === undefined || value === false) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? '' : String(value));
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A `<table>` with a caption and header row; cells are text or nodes. */
export function table(caption: string, headers: string[], rows: Child[][], numeric: number[] = []) {
  const cell = (tag: 'td' | 'th', c: Child, i: number) =>
    h(
      tag,
      {
        class: numeric.includes(i) ? 'num' : undefined,
        attrs: tag === 'th' ? { scope: 'col' } : {},
      },
      c,
    );
  return h(
    'table',
    { class: 'data-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((x, i) => cell('th', x, i)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => cell('td', c, i))))),
  );
}

/** A labelled figure: `<dl>` of term/value pairs. */
export function facts(pairs: [string, Child][], label: string): HTMLElement {
  const dl = h('dl', { class: 'facts', attrs: { 'aria-label': label } });
  for (const [term, value] of pairs)
    append(dl, h('div', {}, h('dt', {}, term), h('dd', {}, value)));
  return dl;
}
