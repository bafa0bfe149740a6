// The kiosk's words, in both languages of the Games (en.json, fr.json). French is typed as
// English's shape, so a key missing from fr.json is a `npm run check` error; the Rust test
// `kiosk_messages` also fails on a key missing from either file.
import en from './en.json';
import frJson from './fr.json';

export type KioskText = typeof en;
export type KioskKey = keyof KioskText;
const fr: KioskText = frJson;

export const kioskText: Record<'en' | 'fr', KioskText> = { en, fr };

/** A message with its `{name}` placeholders filled. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
