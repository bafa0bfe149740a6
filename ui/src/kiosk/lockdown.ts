// The kiosk's lock-down inside the page: no context menu, no selection of the UI's text, no
// dragging of links or images, and the browser's and window manager's chords swallowed. The
// staff chord (Ctrl+Alt+Shift+M) and five taps in the top-left corner open the staff unlock.

/** Chords a fan must not use to leave, reload, zoom or inspect the kiosk. */
export function swallowed(e: KeyboardEvent): boolean {
  const k = e.key.toLowerCase();
  if (e.altKey && k === 'f4') return true;
  if (['f5', 'f11', 'f12'].includes(k)) return true;
  if ((e.ctrlKey || e.metaKey) && ['w', 'q', 'r', '+', '-', '=', '0', 'p', 's', 'o', 'u'].includes(k)) return true;
  if (e.ctrlKey && e.shiftKey && ['i', 'j', 'c'].includes(k)) return true;
  return false;
}

export function isStaffChord(e: KeyboardEvent): boolean {
  return e.ctrlKey && e.altKey && e.shiftKey && e.key.toLowerCase() === 'm';
}

export function lockdown(node: Window, onStaff: () => void) {
  const stop = (e: Event) => e.preventDefault();
  // Text can still be selected inside a field (to correct what was typed).
  const stopOutsideFields = (e: Event) => {
    if (!(e.target instanceof HTMLInputElement)) e.preventDefault();
  };
  let taps: number[] = [];
  function key(e: KeyboardEvent) {
    if (isStaffChord(e)) {
      e.preventDefault();
      e.stopPropagation();
      onStaff();
    } else if (swallowed(e)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
  function tap(e: PointerEvent) {
    if (e.clientX > 80 || e.clientY > 80) return;
    const now = performance.now();
    taps = [...taps.filter((t) => now - t < 3000), now];
    if (taps.length >= 5) {
      taps = [];
      onStaff();
    }
  }
  node.addEventListener('keydown', key, true);
  node.addEventListener('contextmenu', stop, true);
  node.addEventListener('selectstart', stopOutsideFields, true);
  node.addEventListener('dragstart', stop, true);
  node.addEventListener('pointerdown', tap, true);
  return {
    destroy() {
      node.removeEventListener('keydown', key, true);
      node.removeEventListener('contextmenu', stop, true);
      node.removeEventListener('selectstart', stopOutsideFields, true);
      node.removeEventListener('dragstart', stop, true);
      node.removeEventListener('pointerdown', tap, true);
    },
  };
}

/** Arrow keys move the focus like Tab (a keypad has arrows, not Tab), except inside fields
 *  that use them. */
export function arrowFocus(e: KeyboardEvent) {
  const forward = e.key === 'ArrowDown' || e.key === 'ArrowRight';
  const back = e.key === 'ArrowUp' || e.key === 'ArrowLeft';
  if (!forward && !back) return;
  const t = e.target;
  if (t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && t.type !== 'checkbox' && t.type !== 'radio' && t.type !== 'button')) return;
  const scope = document.querySelector('[role=dialog]') ?? document.body;
  const all = Array.from(scope.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled]), select:not([disabled]), [tabindex="0"]'));
  if (all.length === 0) return;
  const i = all.indexOf(document.activeElement as HTMLElement);
  const next = all[(i + (forward ? 1 : -1) + all.length) % all.length];
  e.preventDefault();
  next?.focus();
}
