import type { Language } from './i18n';

/** Cents as the counter reads them: `1,234.50 €` or `1 234,50 €`; a no-break space keeps the
 *  euro sign on the amount's line. */
export function euros(cents: number, lang: Language): string {
  const value = (cents / 100).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${value}\u00a0€`;
}

/** "300", "300.5", "300,50" → cents; null when it is not an amount. */
export function parseEuros(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (t === '') return 0;
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** A sentence as shown: first letter in capitals (the rules' sentences start in lower case). */
export function capitalised(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const head = String.fromCodePoint(first);
  return head.toLocaleUpperCase() + text.slice(head.length);
}

/** An ISO day (`2024-07-24`) as the counter writes dates everywhere: `24/07/2024`. */
export function dayText(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** One of a pair of words, in the desk's language (the catalogue carries English and French). */
export function inLang(lang: Language, en: string, fr: string): string {
  return lang === 'fr' ? fr : en;
}

/** A session's sport, event and venue in the desk's language. */
export function sessionWords(
  s: { sport: string; sportFr: string; description: string; descriptionFr: string; venue: string; venueFr: string },
  lang: Language,
): { sport: string; description: string; venue: string } {
  return lang === 'fr'
    ? { sport: s.sportFr, description: s.descriptionFr, venue: s.venueFr }
    : { sport: s.sport, description: s.description, venue: s.venue };
}
