/**
 * Live poll results: every 5 seconds, while the tab is visible and until the poll's count is final,
 * fetch `/api/polls/{id}/results` and update the bars, figures and ballot count the server drew.
 * A button pauses and resumes the updates (WCAG 2.2.2). Without this script nothing is lost: the
 * page shows the results as they were when it loaded.
 */

interface Results {
  ballots: number;
  tally: Record<string, number> | null;
  final: boolean;
}

const INTERVAL_MS = 5000;
const root = document.querySelector<HTMLElement>('[data-live-results]');

if (root) {
  const data = root.dataset;
  const lang = document.documentElement.lang;
  const numbers = new Intl.NumberFormat(lang);
  const percents = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const plural = new Intl.PluralRules(lang);
  const note = root.querySelector<HTMLElement>('[data-live-note]');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button--quiet';
  let paused = false;
  let timer: number | undefined;

  const set = (selector: string, text: string) => {
    for (const element of document.querySelectorAll(selector)) element.textContent = text;
  };

  const show = (results: Results) => {
    const template = plural.select(results.ballots) === 'one' ? data.ballotsOne : data.ballotsOther;
    set('[data-ballots]', (template ?? '{count}').replace('{count}', numbers.format(results.ballots)));
    for (const [option, count] of Object.entries(results.tally ?? {})) {
      const share = results.ballots > 0 ? count / results.ballots : 0;
      set(`[data-count="${option}"]`, numbers.format(count));
      set(`[data-percent="${option}"]`, percents.format(share));
      set(`[data-value="${option}"]`, `${numbers.format(count)} (${percents.format(share)})`);
      document
        .querySelector(`[data-bar="${option}"]`)
        ?.setAttribute('width', `${Math.round(share * 1000) / 10}%`);
    }
  };

  const schedule = () => {
    window.clearTimeout(timer);
    if (!paused) timer = window.setTimeout(tick, INTERVAL_MS);
  };

  async function tick() {
    if (document.hidden) return schedule();
    try {
      const response = await fetch(data.liveResults ?? '', { headers: { accept: 'application/json' } });
      if (response.ok) {
        const results = (await response.json()) as Results;
        show(results);
        if (results.final) {
          if (note) note.textContent = data.final ?? '';
          button.remove();
          return;
        }
      }
    } catch {
      // Offline for a moment: try again at the next turn.
    }
    schedule();
  }

  button.textContent = data.pause ?? '';
  button.addEventListener('click', () => {
    paused = !paused;
    button.textContent = (paused ? data.resume : data.pause) ?? '';
    schedule();
  });
  note?.removeAttribute('hidden');
  root.append(button);
  schedule();
}
