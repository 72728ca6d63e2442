import type { Page } from 'playwright-core';

/** What a keyboard user has in focus: its tag, id, visible text or label, and value. */
export interface Focused {
  tag: string;
  id: string;
  text: string;
  label: string;
  value: string;
}

// Evaluated in the page; a string, so that these tests need no DOM types.
const describeFocus = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id || '',
    text: (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' '),
    label: (label || '').trim().replace(/\\s+/g, ' '),
    value: typeof el.value === 'string' ? el.value : '',
  };
})()`;

export function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(describeFocus) as Promise<Focused | null>;
}

export type Target = { id: string } | { text: string | RegExp; tag?: string };

function matches(element: Focused, target: Target): boolean {
  if ('id' in target) return element.id === target.id;
  if (target.tag && element.tag !== target.tag) return false;
  const name = element.text || element.label;
  return typeof target.text === 'string' ? name === target.text : target.text.test(name);
}

/** Presses Tab until `target` has focus, as a keyboard user would; fails naming what it passed. */
export async function tabTo(page: Page, target: Target, maxPresses = 80): Promise<void> {
  const passed: string[] = [];
  for (let press = 0; press < maxPresses; press++) {
    await page.keyboard.press('Tab');
    const element = await focused(page);
    if (element && matches(element, target)) return;
    passed.push(element ? `${element.tag}#${element.id} "${element.text || element.label}"` : '(page)');
  }
  throw new Error(
    `Tab never reached ${JSON.stringify(target, (_, v) => (v instanceof RegExp ? String(v) : v))}; passed:\n${passed.join('\n')}`,
  );
}

/** Tabs to a field and types into it. */
export async function typeInto(page: Page, id: string, text: string): Promise<void> {
  await tabTo(page, { id });
  await page.keyboard.type(text);
}

/** Presses a key that navigates (Enter on a link or a submit button) and waits for the new page. */
export async function pressAndLoad(page: Page, key = 'Enter'): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.keyboard.press(key);
  await navigated;
  await page.waitForLoadState('load');
}

/** Signs in by keyboard: the header's sign-in link, then the button with the person's name. */
export async function signInByKeyboard(page: Page, signInLink: string, buttonText: string): Promise<void> {
  await tabTo(page, { text: signInLink, tag: 'a' });
  await pressAndLoad(page);
  await tabTo(page, { text: buttonText, tag: 'button' });
  await pressAndLoad(page);
}

/**
 * Types a date and time into a `datetime-local` field, part by part, as a person does. The order of
 * the parts (day-month or month-day) is the browser's own: a probe field on a blank page finds it.
 */
export async function typeDateTime(page: Page, id: string, isoLocal: string): Promise<void> {
  const [, year, month, day, hour, minute] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(isoLocal) ?? [];
  const date = datePart(await dateOrder(page), year, month, day);
  await tabTo(page, { id });
  await page.keyboard.type(date);
  await page.keyboard.press('Tab'); // the time part of the same field
  await page.keyboard.type(`${hour}${minute}`);
  // Browsers with a 12-hour clock have an AM/PM part too; elsewhere the letter is ignored.
  await page.keyboard.type(Number(hour) < 12 ? 'A' : 'P');
}

/** Types a date into a `date` field, day, month and year in the browser's own order. */
export async function typeDate(page: Page, id: string, isoDate: string): Promise<void> {
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate) ?? [];
  const date = datePart(await dateOrder(page), year, month, day);
  await tabTo(page, { id });
  await page.keyboard.type(date);
}

function datePart(order: 'dmy' | 'mdy' | 'ymd', year?: string, month?: string, day?: string): string {
  if (order === 'dmy') return `${day}${month}${year}`;
  return order === 'mdy' ? `${month}${day}${year}` : `${year}${month}${day}`;
}

async function dateOrder(page: Page): Promise<'dmy' | 'mdy' | 'ymd'> {
  const probe = await page.context().newPage();
  try {
    await probe.setContent('<input type="datetime-local" id="probe">');
    await probe.keyboard.press('Tab');
    await probe.keyboard.type('01022033');
    await probe.keyboard.press('Tab');
    await probe.keyboard.type('1600');
    const value = (await probe.evaluate('document.getElementById("probe").value')) as string;
    return value.startsWith('2033-02-01') ? 'dmy' : value.startsWith('2033-01-02') ? 'mdy' : 'ymd';
  } finally {
    await probe.close();
  }
}
