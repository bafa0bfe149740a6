// A barcode scanner in keyboard-wedge mode types its code as a burst of keystrokes ending with
// Enter. A burst that looks like an account QR (`P24-ACCOUNT:…`) or a ticket QR (long base45)
// is taken out of whatever field had the focus and handed to `onScan`, wherever the focus is.
const GAP_MS = 40;
const TICKET_MIN = 40;

export function wedge(node: Document, onScan: (text: string) => void) {
  let buffer = '';
  let last = 0;
  function keydown(event: KeyboardEvent) {
    const now = performance.now();
    if (now - last > GAP_MS) buffer = '';
    last = now;
    if (event.key === 'Enter') {
      const code = buffer;
      buffer = '';
      if (code.startsWith('P24-ACCOUNT:') || (code.length >= TICKET_MIN && /^[0-9A-Z $%*+\-./:]+$/.test(code))) {
        event.preventDefault();
        event.stopPropagation();
        const target = event.target;
        if (target instanceof HTMLInputElement && target.value.endsWith(code)) {
          target.value = target.value.slice(0, -code.length);
          target.dispatchEvent(new Event('input', { bubbles: true }));
        }
        onScan(code);
      }
    } else if (event.key.length === 1) {
      buffer += event.key;
    }
  }
  node.addEventListener('keydown', keydown, true);
  return {
    destroy() {
      node.removeEventListener('keydown', keydown, true);
    },
  };
}
