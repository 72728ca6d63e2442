import type { Locale } from './common.ts';
import type { ModerationTargetKind } from './moderation.ts';

const words = {
  nl: {
    kinds: { initiative: 'je initiatief', request: 'je hulpvraag', poll: 'je peiling' },
    subject: (what: string) => `[Plein] De gemeente heeft ${what} verborgen`,
    body: (what: string, name: string, reason: string) =>
      `De gemeente heeft ${what} "${name}" verborgen. Alleen jij en de gemeente zien het nog.\n\nReden: ${reason}\n\nBen je het er niet mee eens? Ga naar de pagina en teken bezwaar aan.`,
  },
  en: {
    kinds: { initiative: 'your initiative', request: 'your request for help', poll: 'your poll' },
    subject: (what: string) => `[Plein] The municipality hid ${what}`,
    body: (what: string, name: string, reason: string) =>
      `The municipality hid ${what} "${name}". Only you and the municipality can still see it.\n\nReason: ${reason}\n\nDo you disagree? Open its page and appeal.`,
  },
  tr: {
    kinds: { initiative: 'girişiminizi', request: 'yardım talebinizi', poll: 'anketinizi' },
    subject: (what: string) => `[Plein] Belediye ${what} gizledi`,
    body: (what: string, name: string, reason: string) =>
      `Belediye ${what} ("${name}") gizledi. Artık yalnızca siz ve belediye görebilirsiniz.\n\nGerekçe: ${reason}\n\nKatılmıyor musunuz? Sayfasını açın ve itiraz edin.`,
  },
} as const;

/** The email that tells an item's owners it was hidden, and why, in their initiative's language. */
export function hideNotice(
  locale: Locale,
  kind: ModerationTargetKind,
  name: string,
  reason: string,
  link: string | undefined,
): { subject: string; text: string } {
  const language = words[locale];
  const what = language.kinds[kind];
  return {
    subject: language.subject(what).slice(0, 200),
    text: [language.body(what, name, reason), ...(link ? ['', link] : [])].join('\n'),
  };
}
