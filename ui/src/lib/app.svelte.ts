// The window's shared state: language, who is signed in, the account and the order being built.
import type { AppInfo, LineInput, OperatorView, SaleView, SessionView, StatusView } from './bindings';
import { api, failureCode, isFailure, isNotAllowed, NotInApp } from './api';
import { initialLanguage, messages, type Language } from './i18n';

export type Screen = 'lookUp' | 'account' | 'sessions' | 'order' | 'shift' | 'settings';

/** Function key of each screen, shown next to its name. */
export const SCREEN_KEYS: Record<Screen, string> = {
  lookUp: 'F2',
  account: 'F3',
  sessions: 'F4',
  order: 'F6',
  shift: 'F7',
  settings: 'F8',
};

export const app = $state({
  lang: initialLanguage(navigator.languages) as Language,
  info: null as AppInfo | null,
  operator: null as OperatorView | null,
  status: null as StatusView | null,
  /** Bumped when the shell's language changes: a status asked before that is in the old
   *  language, and is dropped (see `refreshStatus`). */
  langEpoch: 0,
  screen: 'lookUp' as Screen,
  accountId: null as string | null,
  kind: 'pack' as 'pack' | 'single',
  lines: [] as LineInput[],
  sale: null as SaleView | null,
  /** The sale last shown, once the seller has left its screen: F6 then opens a new order and
   *  offers to reopen this one. */
  lastSale: null as { sale: SaleView; account: string } | null,
  /** The sale shown was reopened later (its change was given at the time). */
  saleReopened: false,
  /** Unsold baskets of the other accounts opened at this desk, kept until sold or cleared. */
  baskets: {} as Record<string, { kind: 'pack' | 'single'; lines: LineInput[] }>,
  /** Cash and card amounts typed for the open basket (kept while the seller visits F7). */
  tender: { cash: '', card: '' },
  /** What the seller can read of a session: sport, event, day, time, venue (cached). */
  sessionWords: {} as Record<string, SessionView | null>,
  /** The basket the seller just cleared, for an undo. */
  cleared: null as { account: string; kind: 'pack' | 'single'; lines: LineInput[] } | null,
  /** Bumped after anything that changes what the account screen shows. */
  revision: 0,
});

export function t() {
  return messages[app.lang];
}

/** A failure's sentence; the shell always sends one. */
export function sentence(e: unknown): string {
  // A staff function on a kiosk: the same sentence whichever layer refused it.
  if (failureCode(e) === 'STAFF_ONLY_ON_KIOSK' || isNotAllowed(e)) return messages[app.lang].notAllowedHere;
  if (isFailure(e)) return e.message;
  if (e instanceof NotInApp) return messages[app.lang].notInApp;
  return String(e);
}

export function go(screen: Screen) {
  if (app.screen === 'order' && screen !== 'order' && app.sale) {
    // The sale is done: coming back to the order screen starts a new order.
    if (app.accountId) app.lastSale = { sale: app.sale, account: app.accountId };
    app.sale = null;
    app.lines = [];
    app.tender = { cash: '', card: '' };
  }
  app.screen = screen;
}

/** Opens an account: the basket being built stays with its own account (a companion's account
 *  checked in between loses nothing) and the opened account's own basket comes back. */
export function openAccount(id: string) {
  if (app.accountId === id) return;
  if (app.accountId && app.lines.length && !app.sale) {
    app.baskets[app.accountId] = { kind: app.kind, lines: app.lines };
  }
  app.sale = null;
  app.tender = { cash: '', card: '' };
  const kept = app.baskets[id];
  app.baskets = Object.fromEntries(Object.entries(app.baskets).filter(([account]) => account !== id));
  app.lines = kept ? kept.lines : [];
  app.kind = kept ? kept.kind : 'pack';
  app.accountId = id;
}

/** Baskets kept for accounts other than the open one. */
export function otherBaskets(): { account: string; lines: number; tickets: number }[] {
  return Object.entries(app.baskets)
    .filter(([account, b]) => account !== app.accountId && b.lines.length)
    .map(([account, b]) => ({ account, lines: b.lines.length, tickets: b.lines.reduce((n, l) => n + l.quantity, 0) }));
}

/** Empties the open account's basket; [`undoClear`] puts it back. */
export function clearBasket() {
  if (!app.accountId || !app.lines.length) return;
  app.cleared = { account: app.accountId, kind: app.kind, lines: app.lines };
  app.lines = [];
}

export function undoClear() {
  const c = app.cleared;
  if (!c) return;
  openAccount(c.account);
  app.lines = c.lines;
  app.kind = c.kind;
  app.cleared = null;
}

/** Asks the shell for its status and shows it, unless the language changed while the
 *  answer was on its way: its sentences would then be in the old language. */
export async function refreshStatus(): Promise<void> {
  const epoch = app.langEpoch;
  const status = await api.status();
  if (epoch === app.langEpoch) app.status = status;
}

/** The shell's language has changed: status answers asked before now are stale. */
export function languageChanged(): void {
  app.langEpoch += 1;
}
