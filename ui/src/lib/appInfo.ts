// What `app_info` answers (src-tauri/src/commands.rs). Written by hand until the wire crate
// generates the bindings (STYLE.md habit 4); keep the two in step meanwhile.
import { invoke, isTauri } from '@tauri-apps/api/core';

export type DeviceKind = 'box-office' | 'kiosk';

export interface AppInfo {
  version: string;
  deviceKind: DeviceKind;
}

/** Thrown when the page is opened in a plain browser (e.g. `npm run dev`) instead of the app. */
export class NotInApp extends Error {
  constructor() {
    super('not running inside the Guichet app');
    this.name = 'NotInApp';
  }
}

export async function loadAppInfo(): Promise<AppInfo> {
  if (!isTauri()) throw new NotInApp();
  return invoke<AppInfo>('app_info');
}
