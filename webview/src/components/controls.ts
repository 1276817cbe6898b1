/**
 * The panels' controls. Buttons, text fields, dropdowns and checkboxes are
 * `@vscode/webview-ui-toolkit` elements, used only through this module: the toolkit is no longer
 * maintained upstream, and swapping it means changing this file alone.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import { h, setAttr } from './dom.ts';

let registered = false;

/** Registers the toolkit's custom elements once per page. */
export function registerControls(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
    vsCodeTextField(),
  );
}

interface ValueElement extends HTMLElement {
  value: string;
  disabled: boolean;
}

export interface ButtonOptions {
  label: string;
  onClick: () => void;
  appearance?: 'primary' | 'secondary';
  ariaLabel?: string;
  disabled?: boolean;
  id?: string;
}

export interface Button {
  element: HTMLElement;
  setDisabled(disabled: boolean): void;
  setLabel(label: string): void;
}

export function button(o: ButtonOptions): Button {
  const el = h('vscode-button', {
    id: o.id,
    attrs: { appearance: o.appearance ?? 'primary', 'aria-label': o.ariaLabel },
  }) as ValueElement;
  el.textContent = o.label;
  el.disabled = o.disabled ?? false;
  el.addEventListener('click', () => {
    if (!el.disabled) o.onClick();
  });
  return {
    element: el,
    setDisabled: (d) => {
      el.disabled = d;
      setAttr(el, 'aria-disabled', d ? 'true' : undefined);
    },
    setLabel: (label) => {
      el.textContent = label;
    },
  };
}

export interface TextFieldOptions {
  id: string;
  label: string;
  /** Read with the label by screen readers (limits, explanation). */
  description?: string;
  value: string;
  onInput: (value: string) => void;
  placeholder?: string;
  inputMode?: 'decimal' | 'numeric' | 'text';
}

export interface TextField {
  element: HTMLElement;
  get value(): string;
  set value(v: string);
  setInvalid(invalid: boolean): void;
}

export function textField(o: TextFieldOptions): TextField {
  const el = h('vscode-text-field', {
    id: o.id,
    attrs: {
      'aria-label': o.description ? `${o.label}. ${o.description}` : o.label,
      placeholder: o.placeholder,
      inputmode: o.inputMode,
    },
  }) as ValueElement;
  el.textContent = o.label;
  el.value = o.value;
  el.addEventListener('input', () => o.onInput(el.value));
  return {
    element: el,
    get value() {
      return el.value;
    },
    set value(v: string) {
      if (el.value !== v) el.value = v;
    },
    setInvalid: (invalid) => {
      setAttr(el, 'aria-invalid', invalid ? 'true' : undefined);
      el.classList.toggle('invalid', invalid);
    },
  };
}

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectOptions {
  id: string;
  ariaLabel: string;
  options: SelectOption[];
  value: string;
  onChange: (value: string) => void;
}

export interface Select {
  element: HTMLElement;
  get value(): string;
  set value(v: string);
  setOptions(options: SelectOption[], value: string): void;
}

export function select(o: SelectOptions): Select {
  const el = h('vscode-dropdown', {
    id: o.id,
    attrs: { 'aria-label': o.ariaLabel },
  }) as ValueElement;
  const fill = (options: SelectOption[], value: string) => {
    el.replaceChildren(
      ...options.map((opt) => {
        const option = h('vscode-option', { attrs: { value: opt.value } });
        option.textContent = opt.label;
        if (opt.value === value) option.setAttribute('selected', '');
        return option;
      }),
    );
    el.value = value;
  };
  fill(o.options, o.value);
  el.addEventListener('change', () => o.onChange(el.value));
  return {
    element: el,
    get value() {
      return el.value;
    },
    set value(v: string) {
      el.value = v;
    },
    setOptions: fill,
  };
}

export interface Checkbox {
  element: HTMLElement;
  get checked(): boolean;
}

export function checkbox(o: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}): Checkbox {
  const el = h('vscode-checkbox', { id: o.id }) as HTMLElement & { checked: boolean };
  el.textContent = o.label;
  el.checked = o.checked;
  el.addEventListener('change', () => o.onChange(el.checked));
  return {
    element: el,
    get checked() {
      return el.checked;
    },
  };
}

export function spinner(label: string): HTMLElement {
  return h('vscode-progress-ring', { attrs: { 'aria-label': label } });
}

/** A determinate progress bar (the toolkit has only a ring): native semantics, themed in CSS. */
export function progressBar(label: string): { element: HTMLElement; set(percent: number): void } {
  const fill = h('div', { class: 'progress-fill' });
  const el = h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      attrs: { 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 },
    },
    fill,
  );
  return {
    element: el,
    set(percent) {
      const p = Math.max(0, Math.min(100, percent));
      el.setAttribute('aria-valuenow', p.toFixed(0));
      el.setAttribute('aria-valuetext', `${p.toFixed(0)}%`);
      fill.style.width = `${p}%`;
    },
  };
}

/** A range slider (not in the toolkit): a native input, labelled, themed in CSS. */
export function slider(o: {
  id: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  format: (v: number) => string;
  onInput: (value: number) => void;
}): { element: HTMLElement; set(value: number): void } {
  const output = h('output', { attrs: { for: o.id } }, o.format(o.value));
  const input = h('input', {
    id: o.id,
    attrs: { type: 'range', min: o.min, max: o.max, step: o.step, value: o.value },
  });
  input.addEventListener('input', () => {
    const v = Number(input.value);
    output.textContent = o.format(v);
    input.setAttribute('aria-valuetext', o.format(v));
    o.onInput(v);
  });
  const element = h(
    'div',
    { class: 'slider' },
    h('label', { attrs: { for: o.id } }, o.label),
    input,
    output,
  );
  return {
    element,
    set(value) {
      input.value = String(value);
      output.textContent = o.format(value);
    },
  };
}
