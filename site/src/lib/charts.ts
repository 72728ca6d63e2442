/**
 * The geometry of the site's bar charts, drawn as inline SVG by the server. Across the chart runs
 * in percentages and down it in pixels: the SVG takes its container's width without a viewBox, so
 * its text keeps its size from a phone to a wide screen instead of being scaled with the drawing.
 */

export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

export interface Bar {
  series: number;
  x: string;
  width: string;
  y: number;
  height: number;
  value: number | null;
}

export interface ChartGeometry {
  height: number;
  baseline: number;
  /** Where the plot starts across, after the tick labels. */
  plotLeft: string;
  tickLabelX: string;
  ticks: { value: number; y: number }[];
  groups: { center: string; bars: Bar[] }[];
}

const pct = (value: number) => `${Math.round(value * 1000) / 1000}%`;

/** A round top for the axis and its step: 1, 2 or 5 times a power of ten, about four steps. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ??
    10 * power) as number;
  // Counts come in whole numbers: no ticks at 0.5.
  const whole = max >= 1 && Number.isInteger(max) ? Math.max(1, Math.round(step)) : step;
  return { top: Math.ceil(max / whole) * whole, step: whole };
}

export function barChart(categoryCount: number, series: ChartSeries[], height = 220): ChartGeometry {
  const top = 12;
  const baseline = height - 40;
  const plotLeft = 9;
  const plotWidth = 100 - plotLeft - 1;
  const values = series.flatMap((line) => line.values.filter((value): value is number => value !== null));
  const scale = niceScale(Math.max(0, ...values));
  const y = (value: number) => baseline - ((baseline - top) * value) / scale.top;
  const ticks: { value: number; y: number }[] = [];
  for (let value = 0; value <= scale.top + scale.step / 1000; value += scale.step) {
    ticks.push({ value: Math.round(value * 1000) / 1000, y: Math.round(y(value) * 10) / 10 });
  }
  const slot = plotWidth / Math.max(1, categoryCount);
  const groupWidth = slot * 0.76;
  const barWidth = groupWidth / Math.max(1, series.length);
  const groups = Array.from({ length: categoryCount }, (_, index) => {
    const start = plotLeft + index * slot + (slot - groupWidth) / 2;
    return {
      center: pct(plotLeft + (index + 0.5) * slot),
      bars: series.map((line, seriesIndex) => {
        const value = line.values[index] ?? null;
        const barTop = value === null ? baseline : Math.round(y(value) * 10) / 10;
        return {
          series: seriesIndex,
          x: pct(start + seriesIndex * barWidth),
          width: pct(barWidth * 0.9),
          y: barTop,
          height: Math.round((baseline - barTop) * 10) / 10,
          value,
        };
      }),
    };
  });
  return { height, baseline, plotLeft: pct(plotLeft), tickLabelX: pct(plotLeft - 1.5), ticks, groups };
}
