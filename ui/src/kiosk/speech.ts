// Speech mode: what the screen shows, read aloud by the shell (`kiosk_speak`, espeak-ng) in
// the screen's language. Only words on screen are read: a screen's heading and lead, a
// dialog's heading and text, the focused control's accessible name — never a field's value
// (the account card is typed into a password field).
import { api } from '../lib/api';

function clean(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function byIds(ids: string): string {
  return ids
    .split(/\s+/)
    .map((id) => clean(document.getElementById(id)?.textContent))
    .filter(Boolean)
    .join(' ');
}

/** The label's words without the words of the control inside it (a select's options). */
function labelText(label: HTMLLabelElement): string {
  const copy = label.cloneNode(true) as HTMLElement;
  copy.querySelectorAll('select, input, textarea').forEach((c) => c.remove());
  return clean(copy.textContent);
}

/** A control's accessible name, as a screen reader would say it, and its state. */
export function accessibleName(el: Element, on: string, off: string): string {
  let name = clean(el.getAttribute('aria-label'));
  const ids = el.getAttribute('aria-labelledby');
  if (!name && ids) name = byIds(ids);
  if (!name && (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) {
    name = [...(el.labels ?? [])].map(labelText).filter(Boolean).join(' ');
  }
  if (!name && !(el instanceof HTMLInputElement)) name = clean(el.textContent);
  const pressed = el.getAttribute('aria-pressed');
  if (pressed === 'true' || pressed === 'false') name = `${name}, ${pressed === 'true' ? on : off}`;
  if (el instanceof HTMLInputElement && el.type === 'checkbox') name = `${name}, ${el.checked ? on : off}`;
  return name;
}

/** The words a screen opens with: its heading, its first paragraph and what is marked
 *  `data-speak`; a dialog's heading and text when one is open. */
export function screenText(root: ParentNode = document): string {
  const dialog = document.querySelector('[role=alertdialog], [role=dialog]');
  const scope: ParentNode = dialog ?? root.querySelector('main') ?? root;
  const parts = [
    clean(scope.querySelector('h1, h2')?.textContent),
    clean(scope.querySelector('p')?.textContent),
    ...[...scope.querySelectorAll('[data-speak]')].map((e) => clean(e.textContent)),
  ];
  return joined([...new Set(parts)]);
}

/** Sentences one after the other, a full stop between them unless one ends a sentence. */
export function joined(parts: string[]): string {
  return parts
    .filter(Boolean)
    .map((p, i, all) => (i < all.length - 1 && !/[.!?:…]$/.test(p) ? `${p}.` : p))
    .join(' ');
}

/** The call before: the shell runs its commands concurrently, so each call waits for the one
 *  before it to be answered; otherwise a stop (a wipe) could be overtaken by the utterance of
 *  the control just pressed, and the attract screen would speak. */
let previous: Promise<unknown> = Promise.resolve();

/** Says `text` in `lang`, cutting what was being said (an empty text only stops). */
export function say(text: string, lang: string): void {
  previous = previous.then(() => api.kioskSpeak(text.slice(0, 600), lang)).catch(() => {});
}
