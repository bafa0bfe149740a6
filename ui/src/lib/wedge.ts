// A barcode scanner in keyboard-wedge mode types its code as a burst of keystrokes ending with
// Enter. A burst that looks like an account QR (`P24-ACCOUNT:…`) or a ticket QR (long base45)
// is taken out of whatever field had the focus and handed to `onScan`, wherever the focus is.
const GAP_MS = 40;
const TICKET_MIN = 40;

function looksScanned(text: string): boolean {
  return text.startsWith('P24-ACCOUNT:') || (text.length >= TICKET_MIN && /^[0-9A-Z $%*+\-./:]+$/.test(text));
}

export function wedge(node: Document, onScan: (text: string) => void) {
  let buffer = '';
  let last = 0;
  function keydown(event: KeyboardEvent) {
    const now = performance.now();
    if (now - last > GAP_MS) buffer = '';
    last = now;
    if (event.key === 'Enter') {
      const burst = buffer;
      buffer = '';
      const target = event.target;
      // A field holding nothing but a code was filled by the scanner, however slowly the
      // keystrokes arrived; elsewhere the fast burst itself is the code.
      const field = target instanceof HTMLInputElement && looksScanned(target.value) ? target : null;
      const code = field ? field.value : looksScanned(burst) ? burst : null;
      if (code !== null) {
        event.preventDefault();
        event.stopPropagation();
        if (field) {
          field.value = '';
          field.dispatchEvent(new Event('input', { bubbles: true }));
        } else if (target instanceof HTMLInputElement && target.value.endsWith(code)) {
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
