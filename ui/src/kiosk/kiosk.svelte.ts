// The kiosk window's state: the screen, the fan's language, identity and basket. Everything
// here is wiped back to the attract screen after a sale, on "start over" and when idle.
import type { KioskHealth, KioskLine, KioskQuote, KioskSale, KioskStanding, MaintenanceView } from '../lib/bindings';
import { api } from '../lib/api';
import { kioskText, type KioskText } from './messages';

export type KioskScreen =
  | 'attract'
  | 'language'
  | 'identify'
  | 'standing'
  | 'browse'
  | 'pay'
  | 'take'
  | 'outOfOrder'
  | 'maintenance';

export type Lang = 'en' | 'fr';

function fresh() {
  return {
    screen: 'attract' as KioskScreen,
    lang: 'en' as Lang,
    standing: null as KioskStanding | null,
    pack: true,
    lines: [] as KioskLine[],
    quote: null as KioskQuote | null,
    sale: null as KioskSale | null,
    paying: false,
  };
}

export const kiosk = $state({
  ...fresh(),
  /** The language the kiosk starts in (its settings). */
  homeLang: 'en' as Lang,
  /** The language the shell's sentences (refusals, rules) are in: follows `lang`. */
  shellLang: 'en' as Lang,
  large: false,
  /** Speech mode: each screen and the focused control read aloud (reset by a wipe). */
  speech: false,
  health: null as KioskHealth | null,
  maintenance: null as MaintenanceView | null,
  unlockOpen: false,
});

export function words(): KioskText {
  return kioskText[kiosk.lang];
}

/** Everything about the fan goes: basket, identity, screen, and the WebView's storage and
 *  history. Waits (in the shell) for a payment in progress to finish first. */
export async function wipe(): Promise<void> {
  await api.kioskWipe().catch(() => {});
  Object.assign(kiosk, fresh(), { lang: kiosk.homeLang, large: false, speech: false, unlockOpen: false });
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch {
    /* storage disabled: nothing kept */
  }
  history.replaceState(null, '', location.pathname);
  await checkHealth();
}

/** The pre-sale checks; the out-of-order screen while one fails. */
export async function checkHealth(): Promise<void> {
  try {
    kiosk.health = await api.kioskStatus();
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'OOO-STATUS';
    kiosk.health = { ok: false, code, problems: [String(e)], online: false, reported: false, idleWarnS: 60, idleWipeS: 90 };
  }
  if (kiosk.screen === 'maintenance') return;
  if (!kiosk.health.ok) kiosk.screen = 'outOfOrder';
  else if (kiosk.screen === 'outOfOrder') kiosk.screen = 'attract';
}

export function count(session: string, category: string): number {
  return kiosk.lines.find((l) => l.session === session && l.category === category)?.quantity ?? 0;
}

/** Adds `delta` tickets of a category (WCH and CMP move together, as one pair). */
export function change(session: string, category: string, delta: number) {
  const cats = category === 'WCH' ? ['WCH', 'CMP'] : [category];
  for (const c of cats) {
    const line = kiosk.lines.find((l) => l.session === session && l.category === c);
    const next = Math.max(0, (line?.quantity ?? 0) + delta);
    if (line) line.quantity = next;
    else if (next > 0) kiosk.lines.push({ session, category: c, quantity: next });
  }
  kiosk.lines = kiosk.lines.filter((l) => l.quantity > 0);
}

export function basket() {
  return { pack: kiosk.pack, lines: kiosk.lines.map((l) => ({ ...l })) };
}
