import { formatNumber, type Locale, t } from '../i18n/index.ts';
import type { ChartSeries } from './charts.ts';
import { formatDuration } from './dates.ts';
import type { Participation, ParticipationCounter } from './facilitation-api.ts';

/** A municipality's participation figures as four charts: initiatives, requests, offers, waiting time. */

export interface ChartData {
  id: string;
  title: string;
  description: string;
  categories: { short: string; long: string; note?: string | undefined }[];
  series: ChartSeries[];
  tableOnly?: ChartSeries[];
}

const monthDate = (month: string) => new Date(`${month}-15T12:00:00Z`);

function categories(locale: Locale, months: string[]) {
  const short = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' });
  const long = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return months.map((month, index) => ({
    short: short.format(monthDate(month)).replace(/\.$/, ''),
    long: long.format(monthDate(month)),
    // The year under the first month and under each January.
    note: index === 0 || month.endsWith('-01') ? month.slice(0, 4) : undefined,
  }));
}

export function participationCharts(locale: Locale, report: Participation): ChartData[] {
  const months = report.months.map((month) => month.month);
  const cats = categories(locale, months);
  const period = t(locale, 'chart.period', { from: cats[0]?.long ?? '', to: cats.at(-1)?.long ?? '' });
  const line = (counter: ParticipationCounter): ChartSeries => ({
    name: t(locale, `participation.${counter}`),
    values: report.months.map((month) => month[counter]),
  });
  const totals = (series: ChartSeries[]) =>
    series
      .map((item) => {
        const total = item.values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
        return t(locale, 'chart.total', { name: item.name, total: formatNumber(locale, total) });
      })
      .join('; ');
  const chart = (
    id: 'initiatives' | 'requests' | 'offers',
    series: ChartSeries[],
    tableOnly: ChartSeries[] = [],
  ): ChartData => ({
    id,
    title: t(locale, `participation.chart.${id}`),
    description: `${period} ${totals([...series, ...tableOnly])}.`,
    categories: cats,
    series,
    tableOnly,
  });
  // The waiting time in the unit that suits its largest median: minutes, hours or days.
  const seconds = report.months.map((month) => month.medianFirstAnswerSeconds);
  const longest = Math.max(0, ...seconds.map((value) => value ?? 0));
  const unit = longest < 3_600 ? 'minutes' : longest < 172_800 ? 'hours' : 'days';
  const size = { minutes: 60, hours: 3_600, days: 86_400 }[unit];
  const waits = seconds.map((value) => (value === null ? null : Math.round((value / size) * 10) / 10));
  const unitName = t(locale, `participation.unit.${unit}`);
  const overall = report.totals.medianFirstAnswerSeconds;
  return [
    chart('initiatives', [line('initiativesRegistered'), line('initiativesArchived')]),
    chart('requests', [line('requestsReceived'), line('requestsAnswered')]),
    chart(
      'offers',
      [line('offersMade'), line('offersAccepted'), line('offersDelivered')],
      [line('offersDeclined'), line('offersWithdrawn')],
    ),
    {
      id: 'wait',
      title: t(locale, 'participation.chart.wait', { unit: unitName }),
      description: `${period} ${
        overall === null
          ? t(locale, 'participation.noAnswers')
          : t(locale, 'participation.medianOverall', { duration: formatDuration(locale, overall) })
      }`,
      categories: cats,
      series: [{ name: t(locale, 'participation.median', { unit: unitName }), values: waits }],
    },
  ];
}
