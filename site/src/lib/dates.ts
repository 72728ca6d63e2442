import type { Locale } from '../i18n/index.ts';

// Activities happen somewhere: their times are shown, and typed, in the municipality's own time zone.
const timeZoneOfCountry: Record<string, string> = {
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  TR: 'Europe/Istanbul',
};
const fallbackTimeZone = 'Europe/Amsterdam';

export function timeZoneOf(country: string | undefined): string {
  return (country && timeZoneOfCountry[country]) || fallbackTimeZone;
}

export function formatDateTime(locale: Locale, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );
}

export function formatTime(locale: Locale, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(iso));
}

export function formatDate(locale: Locale, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(new Date(iso));
}

/** Same calendar day in the zone: then a range needs the date only once. */
export function sameDay(a: string, b: string, timeZone: string): boolean {
  const day = new Intl.DateTimeFormat('en-CA', { dateStyle: 'short', timeZone });
  return day.format(new Date(a)) === day.format(new Date(b));
}

function parts(date: Date, timeZone: string): Record<string, number> {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  return Object.fromEntries(
    format
      .formatToParts(date)
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  );
}

/** Minutes the zone is ahead of UTC at that instant. */
function offsetMinutes(date: Date, timeZone: string): number {
  const p = parts(date, timeZone);
  const asUtc = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
  return Math.round((asUtc - Math.floor(date.getTime() / 60_000) * 60_000) / 60_000);
}

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * A `datetime-local` value (`2026-06-06T16:00`) read as wall-clock time in `timeZone`, as an ISO
 * date-time with its offset; anything else comes back unchanged, for the API to refuse.
 */
export function localInputToIso(value: string, timeZone: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return value.trim();
  const [, year, month, day, hour, minute] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wallClock = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the guessed instant, corrected once: right on both sides of a DST change.
  let offset = offsetMinutes(new Date(wallClock), timeZone);
  offset = offsetMinutes(new Date(wallClock - offset * 60_000), timeZone);
  const sign = offset < 0 ? '-' : '+';
  const absolute = Math.abs(offset);
  return `${value.trim()}:00${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** An ISO date-time as a `datetime-local` value in `timeZone`. */
export function isoToLocalInput(iso: string, timeZone: string): string {
  const p = parts(new Date(iso), timeZone);
  return `${p.year}-${pad(p.month ?? 1)}-${pad(p.day ?? 1)}T${pad(p.hour ?? 0)}:${pad(p.minute ?? 0)}`;
}

/** A calendar date (`2027-06-12`) as words, the same day everywhere. */
export function formatDay(locale: Locale, isoDate: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${isoDate}T12:00:00Z`),
  );
}

const relativeUnits: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** How long ago `iso` was, in the largest whole unit ("3 days ago", "yesterday", "12 seconds ago"). */
export function timeAgo(locale: Locale, iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of relativeUnits) {
    if (seconds >= size) return format.format(-Math.floor(seconds / size), unit);
  }
  return format.format(-seconds, 'second');
}

/** A length of time in words ("2 days", "5 hours"), for figures such as a median wait. */
export function formatDuration(locale: Locale, seconds: number): string {
  const [unit, size] = relativeUnits.slice(3).find(([, size]) => seconds >= size) ?? ['minute', 60];
  const value = Math.round((seconds / size) * 10) / 10;
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}
