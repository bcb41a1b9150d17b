import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { DemoData } from '../../apps/ledger-api/src/demo/demo-data';
import { accountEvents, head } from '../support/e2e';
import { startLedger, TEST_ADMIN_SECRET, type RunningLedger } from '../support/ledger-app';
import { tempDir } from '../support/temp-dir';
import { ensureConsoleBuilt, launchBrowser, screenshotDir, signIn, tabTo, unlabelledFields, type Browser } from './browser';

/**
 * The seeds' back-office procedures, performed literally in the built console, in headless
 * Chromium, against the real API on a fresh embedded store (with the demo data for the reports):
 * Appfront's "Add a visit / Payment", Omneo's "New Visit", O2VEND's "Adjust points" with its
 * Points history and Redemption history, and what the console adds around them (roles, the
 * auditor's as-of view, idempotent submissions, keyboard use, a phone-sized screen).
 */
const OPERATOR = 'till-7-operator-secret-0123456789';
const AUDITOR = 'auditor-1-secret-0123456789abcdef';
const REPORTER = 'reporter-1-secret-0123456789abcde';
const SECRETS = [OPERATOR, AUDITOR, REPORTER, TEST_ADMIN_SECRET];

// The page's globals the evaluated functions read (this program has no DOM types; see browser.ts).
declare const document: {
  readonly activeElement: { getAttribute(name: string): string | null; readonly textContent: string | null } | null;
  readonly documentElement: { readonly scrollWidth: number };
  readonly cookie: string;
};
interface PageStorage {
  readonly length: number;
}
declare const sessionStorage: PageStorage;
declare const localStorage: PageStorage;

describe('back-office console in a real browser', () => {
  let ledger: RunningLedger;
  let browser: Browser;
  let operator: Page;
  let customerId = '';
  const shots = tempDir('ledger-console-shots-');
  const shotDir = screenshotDir(shots.path);

  beforeAll(async () => {
    ensureConsoleBuilt();
    ledger = await startLedger({ apiKeys: [`till-7:operator:${OPERATOR}`, `auditor-1:auditor:${AUDITOR}`, `reporter-1:reporter:${REPORTER}`] });
    // Months of visits and payments over several branches, for the reports (and for a second customer named Ada).
    await ledger.app.get(DemoData).load();
    browser = await launchBrowser();
    operator = await browser.page();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await ledger?.close();
    shots.cleanup();
  });

  const dialog = (page: Page) => page.getByRole('dialog');

  // A step that failed with its dialog open would otherwise block every step after it.
  afterEach(async () => {
    if (operator && (await dialog(operator).count()) > 0) {
      await operator.keyboard.press('Escape');
      await dialog(operator).waitFor({ state: 'detached' });
    }
  });
  const status = (page: Page) => page.getByRole('status').filter({ hasText: /recorded|adjusted|redeemed/ });
  /** The first rows of the Timeline Activity, as text. */
  const timelineRows = async (page: Page, n = 6) => {
    const rows = page.getByRole('tabpanel').locator('tbody tr');
    await rows.first().waitFor();
    return (await rows.allInnerTexts()).slice(0, n).map((t) => t.replace(/\s+/g, ' ').trim());
  };
  /** A figure of the card (a <dl> per figure: its <dt> label, its <dd> value). */
  const statValue = async (page: Page, label: string) =>
    (
      (await page
        .locator('dl')
        .filter({ has: page.locator('dt').getByText(label, { exact: true }) })
        .locator('dd')
        .first()
        .textContent()) ?? ''
    ).trim();
  const paymentsWith = async (purchaseIdentifier: string) =>
    (await accountEvents(ledger, customerId)).filter(
      (e) => e.type === 'PaymentRecorded' && (e.data as { purchaseIdentifier?: string }).purchaseIdentifier === purchaseIdentifier,
    );

  it('signs in with an operator key: customers and the program, no reports, no program changes', async () => {
    await signIn(operator, ledger.baseUrl, OPERATOR);
    await operator.getByText('operator', { exact: true }).waitFor();
    const nav = operator.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Customers', 'Program']);
    await nav.getByRole('link', { name: 'Program' }).click();
    await operator.getByText('Only an admin key may change the program.').waitFor();
    expect(await operator.getByRole('button', { name: 'Save program' }).count()).toBe(0);
    await nav.getByRole('link', { name: 'Customers' }).click();
    expect(await unlabelledFields(operator)).toEqual([]);
  });

  it('finds nobody by an unknown e-mail and enrols the customer from the same screen', async () => {
    await operator.getByLabel('E-mail, phone or customer id', { exact: true }).fill('ada@example.com');
    await operator.getByRole('button', { name: 'Find customer' }).click();
    await operator.getByText('No customer with e-mail ada@example.com.').waitFor();
    await operator.getByRole('button', { name: 'Enrol a new customer' }).click();
    const form = operator.getByRole('form', { name: 'Enrol a customer' });
    expect(await form.getByLabel('E-mail', { exact: true }).inputValue()).toBe('ada@example.com');
    expect(await unlabelledFields(form)).toEqual([]);
    await form.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await form.getByLabel('Phone', { exact: true }).fill('+1 555 010 2000');
    await form.getByRole('button', { name: 'Enrol' }).click();
    await operator.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    customerId = decodeURIComponent(new URL(operator.url()).pathname.split('/').pop()!);
    expect((await ledger.request('GET', `/customers/${customerId}`)).body).toMatchObject({
      email: 'ada@example.com',
      phone: '+15550102000',
      name: 'Ada Lovelace',
    });
    expect(await operator.getByText('ada@example.com · +15550102000').count()).toBe(1);
  });

  it('looks the customer up by e-mail as typed (spaces and capitals do not matter) and by phone', async () => {
    for (const typed of ['  ADA@Example.COM ', '+1 (555) 010-2000']) {
      await operator.getByRole('link', { name: 'Customers' }).click();
      await operator.getByLabel('E-mail, phone or customer id', { exact: true }).fill(typed);
      await operator.getByLabel('E-mail, phone or customer id', { exact: true }).press('Enter');
      await operator.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
      expect(operator.url()).toBe(`${ledger.baseUrl}/console/customers/${customerId}`);
    }
  });

  it('Add a visit / Payment: $50 at 1 point per dollar shows the payment and 50 points in the Timeline Activity', async () => {
    await operator.getByRole('button', { name: 'Add a visit / Payment' }).click();
    const form = dialog(operator);
    await form.getByLabel('Location', { exact: true }).fill('store-1');
    await form.getByLabel('Purchase amount', { exact: true }).fill('50');
    await form.getByText('Earns 50 points at 1 point per $1.00').waitFor();
    await form.getByLabel('Purchase identifier', { exact: true }).fill('R-1001');
    // Time of visit defaults to now, on the program's clock (UTC here), to the minute.
    const time = await form.getByLabel('Time of visit', { exact: true }).inputValue();
    expect(Math.abs(Date.parse(`${time}:00Z`) - Date.now())).toBeLessThan(2 * 60_000);
    expect(await unlabelledFields(form)).toEqual([]);
    await form.getByRole('button', { name: 'Add a visit / Payment' }).click();
    await status(operator).getByText('Payment R-1001 of $50.00 recorded: +50 points.').waitFor();
    await dialog(operator).waitFor({ state: 'detached' });
    const rows = await timelineRows(operator, 2);
    expect(rows[0]).toMatch(/Payment store-1 \$50\.00 · Purchase R-1001 by till-7 \+50 50 Refund/i);
    // The purchase visit the payment recorded with it, just before it (so still at 0).
    expect(rows[1]).toMatch(/Visit · purchase store-1 by till-7 0 0/i);
    expect(await statValue(operator, 'Available points')).toBe('50');
    expect((await ledger.request('GET', `/customers/${customerId}`)).body.balance.available).toBe(50);
  });

  it('New Visit with location, date, kind and notes appears on the timeline', async () => {
    await operator.getByRole('button', { name: 'New Visit' }).click();
    const form = dialog(operator);
    await form.getByLabel('Location', { exact: true }).fill('store-2');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Date', { exact: true }).fill(`${yesterday}T16:00`);
    await form.getByLabel('Kind', { exact: true }).selectOption('service');
    await form.getByLabel('Notes', { exact: true }).fill('Alterations: trousers hemmed');
    expect(await unlabelledFields(form)).toEqual([]);
    await form.getByRole('button', { name: 'Save visit' }).click();
    await status(operator).getByText('Visit (service) at store-2 recorded.').waitFor();
    expect((await timelineRows(operator, 1))[0]).toMatch(/4:00 PM .*Visit · service store-2 Notes: Alterations: trousers hemmed/i);
    expect(await statValue(operator, 'Visits')).toBe('2');
    const visit = (await accountEvents(ledger, customerId)).find((e) => e.type === 'VisitCreated' && (e.data as { kind: string }).kind === 'service');
    expect(visit?.data).toMatchObject({
      locationId: 'store-2',
      occurredAt: `${yesterday}T16:00:00.000Z`,
      notes: 'Alterations: trousers hemmed',
      source: 'manual',
    });
  });

  it('Adjust points: −5 needs a reason (the API says so beside the field), then shows in the Points history', async () => {
    await operator.getByRole('button', { name: 'Adjust points' }).click();
    const form = dialog(operator);
    await form.getByLabel('Points', { exact: true }).fill('-5');
    await form.getByRole('button', { name: 'Save adjustment' }).click();
    // The API's 400 names `reason`: the message is under the field, linked to it, and announced.
    // Labelled "Reason *": Mantine marks the required field with an asterisk.
    const reason = form.getByLabel(/^Reason/);
    await form.getByText('Required.', { exact: true }).waitFor();
    expect(await reason.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await reason.getAttribute('aria-describedby')) ?? '';
    expect(
      await operator
        .locator(
          describedBy
            .split(' ')
            .map((id) => `[id="${id}"]`)
            .join(', '),
        )
        .allInnerTexts(),
    ).toContain('Required.');
    await form.getByRole('alert').getByText('Not saved. Reason: Required.').waitFor({ state: 'attached' });
    await reason.fill('Receipt keyed twice');
    await form.getByRole('button', { name: 'Save adjustment' }).click();
    await status(operator).getByText('Points adjusted by −5 (Receipt keyed twice). Balance: 45 points.').waitFor();
    await operator.getByRole('tab', { name: 'Points history' }).click();
    const rows = await timelineRows(operator, 2);
    expect(rows[0]).toMatch(/Adjustment Receipt keyed twice by till-7 −5 45/i);
    expect(rows[1]).toMatch(/Payment store-1 \$50\.00/i);
    expect(rows.join('\n')).not.toMatch(/Visit/i);
    // The card after the seeds' three procedures: the README's screenshot (1280 × 800).
    await operator.getByRole('tab', { name: 'Timeline Activity' }).click();
    await operator.getByRole('tabpanel').locator('tbody tr').nth(3).waitFor();
    await operator.screenshot({ path: join(shotDir, 'customer-card.png') });
  });

  it("shows the API's field errors next to the fields they name, in plain words", async () => {
    await operator.getByRole('button', { name: 'Add a visit / Payment' }).click();
    const form = dialog(operator);
    await form.getByLabel('Location', { exact: true }).fill('store 1');
    await form.getByLabel('Purchase amount', { exact: true }).fill('12.345');
    await form.getByLabel('Purchase identifier', { exact: true }).fill('R-1001');
    await form.getByRole('button', { name: 'Add a visit / Payment' }).click();
    await form.getByText('Use 1 to 100 letters, digits or the signs - _ . : (no spaces).', { exact: true }).waitFor();
    expect(await form.getByLabel('Location', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // The amount's decimals are checked after decoding: a second answer, for the amount alone.
    await form.getByLabel('Location', { exact: true }).fill('store-1');
    await form.getByRole('button', { name: 'Add a visit / Payment' }).click();
    await form.getByText('Use at most 2 decimal places for USD.', { exact: true }).waitFor();
    expect(await form.getByLabel('Purchase amount', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // A receipt already recorded at this branch: the refusal (409) is about the purchase identifier.
    await form.getByLabel('Purchase amount', { exact: true }).fill('12.34');
    const before = await head(ledger);
    await form.getByRole('button', { name: 'Add a visit / Payment' }).click();
    await form
      .getByText('A payment with this purchase identifier was already recorded at this location. No points were added again.', { exact: true })
      .waitFor();
    expect(await form.getByLabel('Purchase identifier', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await head(ledger)).toBe(before);
    await operator.keyboard.press('Escape');
    await dialog(operator).waitFor({ state: 'detached' });
  });

  it("a redemption beyond the balance shows the API's refusal and writes nothing", async () => {
    await operator.getByRole('button', { name: 'Redeem' }).click();
    const form = dialog(operator);
    expect(await unlabelledFields(form)).toEqual([]);
    await form.getByLabel('Points to redeem', { exact: true }).fill('1000');
    await form.getByLabel('Reference', { exact: true }).fill('voucher-7781');
    const before = await head(ledger);
    await form.getByRole('button', { name: 'Redeem' }).click();
    await form.getByText('The available balance is 45 points; 1000 were requested.', { exact: true }).waitFor();
    expect(await form.getByLabel('Points to redeem', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await head(ledger)).toBe(before);
    // Within the balance it goes through, and the Redemption history lists it.
    await form.getByLabel('Points to redeem', { exact: true }).fill('15');
    await form.getByRole('button', { name: 'Redeem' }).click();
    await status(operator).getByText('15 points redeemed. Balance: 30 points.').waitFor();
    await operator.getByRole('tab', { name: 'Redemption history' }).click();
    const rows = await timelineRows(operator);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/Redemption Reference voucher-7781 by till-7 −15 30/i);
  });

  it('a double click on Save records one payment, not two', async () => {
    await operator.getByRole('button', { name: 'Add a visit / Payment' }).click();
    const form = dialog(operator);
    await form.getByLabel('Location', { exact: true }).fill('store-1');
    await form.getByLabel('Purchase amount', { exact: true }).fill('20');
    await form.getByLabel('Purchase identifier', { exact: true }).fill('R-2002');
    // Backdated three days (the auditor's as-of test below uses it).
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Time of visit', { exact: true }).fill(`${threeDaysAgo}T10:00`);
    const posted: Request[] = [];
    operator.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/payments') && posted.push(r));
    await form.getByRole('button', { name: 'Add a visit / Payment' }).dblclick();
    await status(operator).getByText('Payment R-2002 of $20.00 recorded: +20 points.').waitFor();
    expect(await paymentsWith('R-2002')).toHaveLength(1);
    // Whatever reached the server carried one Idempotency-Key.
    expect(new Set(posted.map((r) => r.headers()['idempotency-key'])).size).toBe(1);
    expect((await ledger.request('GET', `/customers/${customerId}`)).body.paymentCount).toBe(2);
  });

  it('a retry after a network error sends the same Idempotency-Key: the ledger answers it once', async () => {
    await operator.getByRole('button', { name: 'Add a visit / Payment' }).click();
    const form = dialog(operator);
    await form.getByLabel('Location', { exact: true }).fill('store-1');
    await form.getByLabel('Purchase amount', { exact: true }).fill('10');
    await form.getByLabel('Purchase identifier', { exact: true }).fill('R-3003');
    // The first attempt reaches the ledger, which records it; its answer is lost on the way back.
    const keys: string[] = [];
    const replayed: string[] = [];
    let dropAnswer = true;
    await operator.route(
      (url) => url.pathname.endsWith('/payments'),
      async (route) => {
        keys.push(route.request().headers()['idempotency-key'] ?? '');
        const response = await route.fetch();
        replayed.push(response.headers()['idempotent-replayed'] ?? 'false');
        if (dropAnswer) {
          dropAnswer = false;
          await route.abort('connectionreset');
        } else await route.fulfill({ response });
      },
    );
    await form.getByRole('button', { name: 'Add a visit / Payment' }).click();
    await form.getByText(/Sending the form again is safe/).waitFor();
    expect(await paymentsWith('R-3003')).toHaveLength(1);
    await form.getByRole('button', { name: 'Add a visit / Payment' }).click();
    await status(operator).getByText('Payment R-3003 of $10.00 recorded: +10 points.').waitFor();
    await operator.unroute((url) => url.pathname.endsWith('/payments'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^console-/i);
    expect(keys[1]).toBe(keys[0]);
    expect(replayed).toEqual(['false', 'true']);
    expect(await paymentsWith('R-3003')).toHaveLength(1);
  });

  it('refunds part of a payment from its timeline row: the points come back in proportion', async () => {
    await operator.getByRole('tab', { name: 'Timeline Activity' }).click();
    await operator.getByRole('button', { name: 'Refund payment R-1001' }).click();
    const form = dialog(operator);
    expect(await form.getByLabel('Refund amount', { exact: true }).inputValue()).toBe('50.00');
    expect(await unlabelledFields(form)).toEqual([]);
    await form.getByLabel('Refund amount', { exact: true }).fill('20.00');
    await form.getByLabel('Refund identifier', { exact: true }).fill('CN-1');
    await form.getByLabel('Reason', { exact: true }).fill('Returned: wrong size');
    await form.getByRole('button', { name: 'Record refund' }).click();
    // floor(50 × 20 / 50) = 20 points of the payment's 50 are reversed.
    await operator.getByRole('status').getByText('Refund CN-1 recorded: −20 points. Balance: 40 points.').waitFor();
    expect(await statValue(operator, 'Available points')).toBe('40');
    const refunds = (await accountEvents(ledger, customerId)).filter((e) => e.type === 'PaymentRefunded');
    expect(refunds.map((e) => e.data)).toEqual([
      expect.objectContaining({ amountMinor: 2000, refundIdentifier: 'CN-1', reason: 'Returned: wrong size', pointsReversed: 20 }),
    ]);
    // The refund is in the auditor's history (replayed from the event store, below). The Timeline
    // Activity lists what the read models project, and they do not project refunds yet.
  });

  it('loads the customer card in one round of parallel requests: customer, timeline, program (and achievements) together', async () => {
    await operator.getByRole('link', { name: 'Customers' }).click();
    await operator.getByLabel('E-mail, phone or customer id', { exact: true }).fill('ada@example.com');
    // Every answer of the card's requests is held back 300 ms: a request sent only after another
    // one's answer (a waterfall) would start at least 300 ms after the first.
    const started = new Map<string, number>();
    const t0 = Date.now();
    const card = (url: URL) => url.pathname.startsWith(`/customers/${customerId}`) || url.pathname === '/program';
    await operator.route(card, async (route) => {
      started.set(new URL(route.request().url()).pathname, Date.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue();
    });
    await operator.getByRole('button', { name: 'Find customer' }).click();
    await operator.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    await operator.getByRole('tabpanel').locator('tbody tr').first().waitFor();
    await operator.unroute(card);
    expect([...started.keys()].sort()).toEqual([
      `/customers/${customerId}`,
      `/customers/${customerId}/achievements`,
      `/customers/${customerId}/timeline`,
      '/program',
    ]);
    const times = [...started.values()];
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(250);
  });

  it('works with the keyboard alone: find the customer and log a New Visit', async () => {
    await operator.getByRole('link', { name: 'Customers' }).click();
    await tabTo(operator, 'the search field', (f) => f.name === 'lookup');
    await operator.keyboard.type('ada@example.com');
    await operator.keyboard.press('Enter');
    await operator.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    await tabTo(operator, 'New Visit', (f) => f.tag === 'button' && f.text === 'New Visit');
    await operator.keyboard.press('Enter');
    await dialog(operator).waitFor();
    // The dialog puts the focus in its first field.
    expect(await operator.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('locationId');
    await operator.keyboard.type('store-3');
    await tabTo(operator, 'Kind', (f) => f.name === 'kind');
    await operator.keyboard.type('event');
    await tabTo(operator, 'Notes', (f) => f.name === 'notes');
    await operator.keyboard.type('Came for the tasting evening');
    expect(await dialog(operator).getByLabel('Notes', { exact: true }).inputValue()).toBe('Came for the tasting evening');
    await tabTo(operator, 'Save visit', (f) => f.tag === 'button' && f.text === 'Save visit');
    await operator.keyboard.press('Enter');
    await status(operator).getByText('Visit (event) at store-3 recorded.').waitFor();
    expect((await timelineRows(operator, 1))[0]).toMatch(/Visit · event store-3 Notes: Came for the tasting evening by till-7/i);
    // The dialog gave the focus back to the button that opened it.
    expect(await operator.evaluate(() => document.activeElement?.textContent)).toBe('New Visit');
  });

  it('fits a 390-pixel-wide phone screen: no sideways scrolling, the timeline as a list, the forms usable', async () => {
    const phone = await browser.page({ width: 390, height: 844 });
    await signIn(phone, ledger.baseUrl, OPERATOR, `/console/customers/${customerId}`);
    await phone.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    await phone.getByRole('list', { name: /Timeline Activity/ }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.getByRole('button', { name: 'Add a visit / Payment' }).click();
    const box = await dialog(phone).boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.keyboard.press('Escape');
    await dialog(phone).waitFor({ state: 'detached' });
    await phone.screenshot({ path: join(shotDir, 'customer-card-phone.png') });
    await phone.close();
  });

  describe('as an auditor', () => {
    let auditor: Page;
    beforeAll(async () => {
      auditor = await browser.page();
      await signIn(auditor, ledger.baseUrl, AUDITOR);
    });
    afterAll(async () => auditor.close());

    it('sees the card read-only: none of the write actions', async () => {
      await auditor.getByText('auditor', { exact: true }).waitFor();
      await auditor.getByLabel('E-mail, phone or customer id', { exact: true }).fill('ada@example.com');
      await auditor.getByRole('button', { name: 'Find customer' }).click();
      await auditor.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
      await auditor.getByText('Read-only: this key may not record visits, payments or adjustments.').waitFor();
      for (const name of ['Add a visit / Payment', 'New Visit', 'Adjust points', 'Redeem', 'Enrol a new customer']) {
        expect(await auditor.getByRole('button', { name }).count()).toBe(0);
      }
      expect(await auditor.getByRole('button', { name: /^Refund/ }).count()).toBe(0);
      expect(await auditor.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toEqual(['Customers', 'Reports', 'Program']);
    });

    it('replays the history as of an instant, on recorded and on business time', async () => {
      await auditor.getByRole('tab', { name: 'As of (audit)' }).click();
      const form = auditor.getByRole('form', { name: 'History as of an instant' });
      expect(await unlabelledFields(form)).toEqual([]);
      // Now, as recorded: everything, and the card's balance.
      await form.getByRole('button', { name: 'Show history' }).click();
      await auditor.getByText(/What the ledger said as of .*: \d+ entries, replayed from the event store\./).waitFor();
      expect(await statValue(auditor, 'Available then')).toBe(await statValue(auditor, 'Available points'));
      expect((await auditor.getByRole('tabpanel').locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toContainEqual(
        expect.stringMatching(/Refund store-1 \$20\.00 · Refund CN-1 · Returned: wrong size .*−20 40/i),
      );
      // Two days ago, by business time: only the payment backdated to three days ago had happened.
      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      await form.getByLabel('As of', { exact: true }).fill(`${twoDaysAgo}T00:00`);
      await form.getByText('Occurred by then').click();
      await form.getByRole('button', { name: 'Show history' }).click();
      await auditor.getByText(/What had happened as of .*: 2 entries/).waitFor();
      expect(await statValue(auditor, 'Available then')).toBe('20');
      const rows = (await auditor.getByRole('tabpanel').locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
      expect(rows[1]).toMatch(/Payment store-1 \$20\.00 · Purchase R-2002 .*\+20 20/i);
      // The same instant as recorded: the ledger had nothing yet (all of it was keyed in today).
      await form.getByText('Recorded by then').click();
      await form.getByRole('button', { name: 'Show history' }).click();
      await auditor.getByText('Nothing had been recorded by then.').waitFor();
      expect(await statValue(auditor, 'Available then')).toBe('0');
    });

    it('downloads the CSV with the key in the Authorization header, never in a URL', async () => {
      const form = auditor.getByRole('form', { name: 'History as of an instant' });
      const csvRequest = auditor.waitForRequest((r) => r.url().includes('/history.csv'));
      const download = auditor.waitForEvent('download');
      await form.getByRole('button', { name: 'Download CSV' }).click();
      const request = await csvRequest;
      expect(request.headers()['authorization']).toBe(`Bearer ${AUDITOR}`);
      const file = await (await download).path();
      const csv = readFileSync(file, 'utf8');
      expect(csv.split('\n')[0]).toMatch(/position/i);
      expect((await download).suggestedFilename()).toBe(`ledger-${customerId}.csv`);
    });
  });

  describe('as a reporter', () => {
    let reporter: Page;
    beforeAll(async () => {
      reporter = await browser.page();
      await signIn(reporter, ledger.baseUrl, REPORTER);
    });
    afterAll(async () => reporter.close());

    it('sees the reports only: visits per location and day, conversion, the charts, the lag', async () => {
      await reporter.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
      expect(await reporter.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toEqual(['Reports', 'Program']);
      const byLocation = reporter.getByRole('table', { name: /Visits with and without a purchase per location/ });
      await byLocation.waitFor();
      const locations = (await byLocation.locator('tbody th').allInnerTexts()).sort();
      expect(locations).toEqual(expect.arrayContaining(['store-airport', 'store-downtown', 'store-harbour', 'store-mall']));
      for (const chart of ['Visits per day, with and without a purchase', 'Points earned, spent and expired per day'])
        await reporter.getByText(chart).waitFor();
      // The points chart states the liability report's totals for the period shown (the API read beside the page).
      const from = await reporter.getByLabel('From', { exact: true }).inputValue();
      const to = await reporter.getByLabel('To (inclusive)', { exact: true }).inputValue();
      const liability = await ledger.request('GET', `/reports/liability?from=${from}&to=${to}`);
      const totals = (liability.body as { totals: Record<string, number> }).totals;
      const n = (x: number) => x.toLocaleString('en-US');
      expect(totals['earned']).toBeGreaterThan(0);
      expect(totals['spent']! + totals['debited']!).toBeGreaterThan(0);
      await reporter
        .getByRole('img', {
          name: new RegExp(
            `${n(totals['earned']! + totals['credited']!)} earned or credited, ${n(totals['spent']! + totals['debited']!)} spent or debited, ${n(totals['expired']!)} expired`,
          ),
        })
        .waitFor();
      expect(await reporter.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(20);
      await reporter.getByRole('heading', { name: 'Ledger status' }).waitFor();
      await reporter.getByText(/events behind \(checkpoint/).waitFor();
      // The lifecycle runner's status as GET /lifecycle gives it (a pass has run: the ledger's runner is inline).
      await reporter.getByText(/due now: \d+ activations, \d+ expiries; last pass .*: \d+ activated, \d+ expired, \d+ tier changes/).waitFor();
      expect(await unlabelledFields(reporter)).toEqual([]);
      await reporter.screenshot({ path: join(shotDir, 'reports.png'), fullPage: true });
    });

    it('is refused the customer pages', async () => {
      await reporter.goto(`${ledger.baseUrl}/console/customers/${customerId}`);
      await reporter.getByText('This API key may not open this page.').waitFor();
    });
  });

  describe('as an admin', () => {
    it('changes the program; the operator sees the new ratio', async () => {
      const admin = await browser.page();
      await signIn(admin, ledger.baseUrl, TEST_ADMIN_SECRET, '/console/program');
      const form = admin.getByRole('form', { name: 'Change the program' });
      expect(await unlabelledFields(form)).toEqual([]);
      await form.getByLabel('Points per unit', { exact: true }).fill('2');
      await form.getByRole('button', { name: 'Save program' }).click();
      await admin.getByText('Saved: the program is at version 2.').waitFor();
      expect((await ledger.request('GET', '/program')).body).toMatchObject({ pointsPerUnit: '2', version: 2 });
      await admin.close();
      await operator.reload();
      await operator.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
      await operator.getByRole('button', { name: 'Add a visit / Payment' }).click();
      await dialog(operator).getByLabel('Purchase amount', { exact: true }).fill('10');
      await dialog(operator).getByText('Earns 20 points at 2 points per $1.00').waitFor();
      await operator.keyboard.press('Escape');
    });

    it('with expiry and tiers in the program, the card shows the next expiry and what the next tier needs', async () => {
      const changed = await ledger.request('PUT', '/program', {
        expiry: { policy: 'afterDays', days: 30 },
        tiers: [{ tierId: 'gold', name: 'Gold', threshold: 100_000, multiplier: '1.5' }],
      });
      expect(changed.status).toBe(200);
      const paid = await ledger.request(
        'POST',
        `/customers/${customerId}/payments`,
        { locationId: 'store-1', amount: '7.00', purchaseIdentifier: 'expiring-1', occurredAt: new Date().toISOString() },
        { 'Idempotency-Key': 'console-expiring-1' },
      );
      expect(paid.status).toBe(201);
      // The oracle is the API's own customer view, read beside the page.
      const view = (await ledger.request('GET', `/customers/${customerId}`)).body as {
        nextExpiry: { points: number } | null;
        tier: { qualifyingPoints: number; next: { pointsNeeded: number } | null };
      };
      expect(view.nextExpiry?.points).toBe(14);
      await operator.reload();
      await operator.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
      expect(await statValue(operator, 'Next expiry')).toBe('14');
      expect(await statValue(operator, 'Tier')).toBe('None');
      const figure = async (label: string) =>
        (
          await operator
            .locator('dl')
            .filter({ has: operator.locator('dt').getByText(label, { exact: true }) })
            .innerText()
        ).replace(/\s+/g, ' ');
      expect(await figure('Next expiry')).toMatch(/points expire /);
      const tierHint = await figure('Tier');
      const needed = view.tier.next?.pointsNeeded ?? 0;
      expect(tierHint).toContain(`${needed.toLocaleString('en-US')} more for Gold`);
      expect(needed).toBe(100_000 - view.tier.qualifyingPoints);
    });
  });

  it('signs out: the key is gone from the tab; it was never in a URL or in local storage', async () => {
    expect(await operator.evaluate(() => Object.keys(sessionStorage))).toHaveLength(1);
    await operator.getByRole('button', { name: 'Sign out' }).click();
    await operator.getByLabel('API key', { exact: true }).waitFor();
    expect(await operator.evaluate(() => sessionStorage.length)).toBe(0);
    await operator.reload();
    await operator.getByLabel('API key', { exact: true }).waitFor();
    const stored = await operator.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie);
    for (const secret of SECRETS) {
      expect(stored).not.toContain(secret);
      expect(browser.requestedUrls.filter((url) => url.includes(secret))).toEqual([]);
    }
  });

  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(browser.problems).toEqual([]);
  });
});
