// Typed calls to the shell's commands (src-tauri/src/commands/: staff.rs, kiosk.rs, common.rs).
// The types come from bindings.ts, generated from the Rust side; a command's failure is a
// `Failure` whose `code` is a `FailureCode` to switch on. A window that its capability does not
// grant a command gets Tauri's own refusal instead, a string (see `isNotAllowed`).
import { invoke, isTauri } from '@tauri-apps/api/core';
import type {
  AccountSummary,
  AccountView,
  AppInfo,
  Dashboard,
  EnrolInput,
  EnrolView,
  Failure,
  FailureCode,
  KioskBasket,
  KioskHealth,
  KioskProgress,
  KioskQuote,
  KioskSale,
  KioskStanding,
  MaintenanceAction,
  MaintenanceView,
  LookUpView,
  OperatorView,
  OrderInput,
  OrderView,
  PdfView,
  PrintView,
  QuoteView,
  ReissueInput,
  SaleView,
  ScanView,
  SessionList,
  SessionQuery,
  Settings,
  ShiftView,
  StatusView,
  TenderInput,
  VoidInput,
  VoidView,
  WalkInInput,
  ZReportView,
} from './bindings';

/** Thrown when the page is opened in a plain browser (e.g. `npm run dev`) instead of the app. */
export class NotInApp extends Error {
  constructor() {
    super('not running inside the Guichet app');
    this.name = 'NotInApp';
  }
}

export function isFailure(e: unknown): e is Failure {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

/** The failure's code, to switch on; `null` for anything that is not a shell `Failure`. */
export function failureCode(e: unknown): FailureCode | null {
  return isFailure(e) ? e.code : null;
}

/** Tauri refused the command before it ran: this window's capability does not grant it (a
 *  staff command from the kiosk window). Tauri's wording is the only signal it gives. */
export function isNotAllowed(e: unknown): boolean {
  return typeof e === 'string' && e.includes('not allowed');
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) throw new NotInApp();
  return invoke<T>(cmd, args);
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  status: () => call<StatusView>('status'),
  chooseLanguage: (language: string) => call<string>('choose_language', { language }),
  signIn: (staffId: string, pin: string) => call<OperatorView>('sign_in', { staffId, pin }),
  signOut: () => call<null>('sign_out'),
  lookUp: (query: string) => call<LookUpView>('look_up', { query }),
  account: (id: string) => call<AccountView>('account', { id }),
  registerForDraw: (account: string, draw: string) => call<AccountView>('register_for_draw', { account, draw }),
  createWalkIn: (walkIn: WalkInInput) => call<AccountSummary>('create_walk_in', { walkIn }),
  sessions: (query: SessionQuery) => call<SessionList>('sessions', { query }),
  quote: (order: OrderInput) => call<QuoteView>('quote', { order }),
  sell: (order: OrderInput, tender: TenderInput) => call<SaleView>('sell', { order, tender }),
  order: (orderId: string) => call<OrderView>('order', { orderId }),
  orderPdf: (orderId: string) => call<PdfView>('order_pdf', { orderId }),
  savePdf: (orderId: string, path: string) => call<string>('save_pdf', { orderId, path }),
  savePdfToDocuments: (orderId: string, name: string) => call<string>('save_pdf_to_documents', { orderId, name }),
  printOrder: (orderId: string) => call<PrintView>('print_order', { orderId }),
  printShiftReport: (shiftId: string) => call<PrintView>('print_shift_report', { shiftId }),
  voidOrder: (input: VoidInput) => call<VoidView>('void_order', { void: input }),
  reissue: (input: ReissueInput) => call<string>('reissue', { reissue: input }),
  openShift: (floatCents: number) => call<ShiftView>('open_shift', { floatCents }),
  shiftReport: () => call<ZReportView>('shift_report'),
  closeShift: (countedCents: number) => call<ZReportView>('close_shift', { countedCents }),
  dashboard: () => call<Dashboard>('dashboard'),
  scan: (text: string) => call<ScanView>('scan', { text }),
  getSettings: () => call<Settings>('get_settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  enrol: (enrol: EnrolInput) => call<EnrolView>('enrol', { enrol }),
  syncNow: () => call<null>('sync_now'),
  kioskStatus: () => call<KioskHealth>('kiosk_status'),
  kioskIdentify: (card: string) => call<KioskStanding>('kiosk_identify', { card }),
  kioskQuote: (basket: KioskBasket) => call<KioskQuote>('kiosk_quote', { basket }),
  kioskBuy: (basket: KioskBasket) => call<KioskSale>('kiosk_buy', { basket }),
  kioskProgress: () => call<KioskProgress>('kiosk_progress'),
  kioskWipe: () => call<boolean>('kiosk_wipe'),
  kioskUnlock: (staffId: string, pin: string) => call<MaintenanceView>('kiosk_unlock', { staffId, pin }),
  kioskMaintenance: (action: MaintenanceAction) => call<boolean>('kiosk_maintenance', { action }),
  kioskSpeak: (text: string, lang: string) => call<boolean>('kiosk_speak', { text, lang }),
};
