// Every word the sign-in screen shows, in both languages of the Games. Adding a key to one
// language and not the other is a type error.
import type { DeviceKind } from './appInfo';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

interface Messages {
  languageName: string;
  title: Record<DeviceKind, string>;
  deviceKind: Record<DeviceKind, string>;
  subtitle: string;
  signInPending: string;
  loading: string;
  version: string;
  device: string;
  infoFailed: string;
  notInApp: string;
  chooseLanguage: string;
}

export const messages: Record<Language, Messages> = {
  en: {
    languageName: 'English',
    title: { 'box-office': 'Guichet — Box office', kiosk: 'Guichet — Kiosk' },
    deviceKind: { 'box-office': 'Box office', kiosk: 'Kiosk' },
    subtitle: 'Sign in to open your till.',
    signInPending: 'Operator sign-in is not available in this build yet.',
    loading: 'Starting…',
    version: 'Version',
    device: 'Device',
    infoFailed: 'Could not read this installation’s details:',
    notInApp: 'This page only works inside the Guichet app.',
    chooseLanguage: 'Language',
  },
  fr: {
    languageName: 'Français',
    title: { 'box-office': 'Guichet — Billetterie', kiosk: 'Guichet — Borne' },
    deviceKind: { 'box-office': 'Billetterie', kiosk: 'Borne' },
    subtitle: 'Identifiez-vous pour ouvrir votre caisse.',
    signInPending: 'La connexion des opérateurs n’est pas encore disponible dans cette version.',
    loading: 'Démarrage…',
    version: 'Version',
    device: 'Poste',
    infoFailed: 'Impossible de lire les informations de cette installation :',
    notInApp: 'Cette page ne fonctionne que dans l’application Guichet.',
    chooseLanguage: 'Langue',
  },
};

/** The first of the user's preferred languages that we speak; English otherwise. */
export function initialLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    const match = LANGUAGES.find((language) => language === primary);
    if (match) return match;
  }
  return 'en';
}
