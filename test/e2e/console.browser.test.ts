/**
 * The registry console in a real browser (issue 11): headless Chromium from Debian's `chromium` package, driven
 * by playwright-core, against the local runtime as `npm start` runs it (the console served at /console/), after
 * a bank has filed. A credit officer signs in and sees the channel-behaviour charts drawn with the very figures
 * the API answers; shuts the bank off in the UI, and the bank's next signed batch is refused 403
 * CHANNEL_SHUT_OFF; an auditor checks the log and sees the verdict, and sees an incident's deadlines counting
 * down; a clerk gets no credit pages. Screenshots of the main pages go to docs/console/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { cstDate } from '../../functions/core/domain/working-days';
import { demoRegister, DEMO_BANK_BRANCH } from '../../infra/local/seed/demo-data';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { eventually } from '../support/eventually';
import { isWaitingOnPlatform } from '../support/statuses';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'docs/console';

let demo: DemoRuntime;
let browser: Browser;
let credentials: DemoCredentials;
type Channel = DemoCredentials['channels'][number];
let bank: Channel;

beforeAll(async () => {
  demo = await startDemoRuntime('console-browser');
  credentials = demo.credentials;
  bank = credentials.channels.find((c) => c.institutionType === 'BANK' && c.channelId !== DEMO_BANK_BRANCH.channelId)!;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await mkdir(SHOTS, { recursive: true });
  // The bank files three mortgages (one on a seized unit: refused), so that the charts have figures to draw.
  const units = demoRegister().filter((u) => u.district === '370102' && !u.seized && u.mortgages.length === 0 && u.owners.length === 1).slice(320, 322);
  const seized = demoRegister().filter((u) => u.district === '370102' && u.seized && u.mortgages.length === 0)[2]!;
  const client = new ZhitongClient({ baseUrl: demo.runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
  const filings = [...units, seized].map((unit, i) => mortgageCreateFiling({ clientRef: `UI-${i}`, unitCode: unit.unitCode, mortgagors: unit.owners }));
  const submitted = await client.request('POST', '/v1/batches', { filings });
  expect(submitted.status).toBe(202);
  const batchId = (submitted.body as { batchId: string }).batchId;
  await eventually('intake', async () => {
    const items = ((await client.request('GET', `/v1/batches/${batchId}`)).body as { items: { status: string }[] }).items;
    return items.some((i) => isWaitingOnPlatform(i.status)) ? undefined : items;
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const password = (username: string) => credentials.staff!.find((s) => s.username === username)!.password;

async function signIn(username: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${demo.runtime.url}/console/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password(username));
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByTestId('who').waitFor();
  expect(errors).toEqual([]);
  return page;
}

async function tokenOf(page: Page): Promise<string> {
  // Runs in the page (the browser's globals; this file is type-checked without the DOM library).
  return page.evaluate(() => (JSON.parse((globalThis as unknown as { sessionStorage: { getItem(key: string): string } }).sessionStorage.getItem('zt.console.session')) as { token: string }).token);
}

type Series = { id: string; data: unknown[] };
const drawn = (page: Page, name: string): Promise<{ series: Series[]; xAxis: { data: string[] }[] }> =>
  page.evaluate((n) => (globalThis as unknown as { __ztCharts: Record<string, () => unknown> }).__ztCharts[n]!(), name) as never;

describe('the registry console in Chromium', () => {
  it("a credit officer sees the channel charts drawn with the API's figures, shuts the bank off, and its next signed batch is refused 403", async () => {
    const page = await signIn('credit_officer.370102');
    expect(await page.locator('nav a').allTextContents()).toEqual(['渠道行为', '业务统计', '信用管理']);
    await page.locator('[data-chart="channel-volume"]').waitFor();
    const today = cstDate(new Date());
    const from = cstDate(new Date(Date.now() - 29 * 86_400_000));
    // The figures as the API answers them, once the statistics worker has counted the bank's batch.
    const api = await eventually('the bank counted', async () => {
      const response = await fetch(`${demo.runtime.url}/v1/staff/statistics/channels?from=${from}&to=${today}`, { headers: { authorization: `Bearer ${await tokenOf(page)}` } });
      const body = (await response.json()) as { channels: { channelId: string; counts: { submitted: number; refused: number }; rates: { refusalRate: number } }[] };
      return body.channels.find((c) => c.channelId === bank.channelId)?.counts.refused === 1 ? body : undefined;
    });
    await page.getByRole('button', { name: '查询' }).click();
    const volume = await eventually('the chart redrawn', async () => {
      const option = await drawn(page, 'channel-volume');
      return (option.series.find((s) => s.id === 'submitted')?.data as number[]).reduce((a, b) => a + b, 0) === api.channels.reduce((a, c) => a + c.counts.submitted, 0) ? option : undefined;
    });
    expect(volume.xAxis[0]!.data).toEqual(api.channels.map((c) => c.channelId));
    expect(volume.series.find((s) => s.id === 'submitted')!.data).toEqual(api.channels.map((c) => c.counts.submitted));
    expect(volume.series.find((s) => s.id === 'refused')!.data).toEqual(api.channels.map((c) => c.counts.refused));
    expect((await drawn(page, 'channel-rates')).series.find((s) => s.id === 'refusalRate')!.data).toEqual(api.channels.map((c) => c.rates.refusalRate));
    await page.screenshot({ path: `${SHOTS}/channels.png`, fullPage: true });

    // Drill down to the bank's channel and shut its institution off.
    await page.getByRole('button', { name: `查看明细 ${bank.channelId}` }).click();
    await page.getByTestId('shutoff-form').waitFor();
    await page.getByTestId('shutoff-form').getByLabel(/机构/).check();
    await page.getByTestId('shutoff-form').getByLabel(/理由/).fill('浏览器测试：批量申报不规范，关闭端口待整改');
    await page.getByTestId('shutoff-form').getByRole('button').click();
    await expect.poll(() => page.getByTestId('shutoff-form').locator('.notice.ok').textContent(), { timeout: 15_000 }).toContain('案件编号');
    await page.screenshot({ path: `${SHOTS}/credit-shutoff.png`, fullPage: true });

    const client = new ZhitongClient({ baseUrl: demo.runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
    const unit = demoRegister().filter((u) => u.district === '370102' && !u.seized && u.mortgages.length === 0 && u.owners.length === 1)[330]!;
    const refused = await client.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: 'UI-after', unitCode: unit.unitCode, mortgagors: unit.owners })] });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'CHANNEL_SHUT_OFF' });
    await page.close();
  }, 120_000);

  it('an auditor checks the log and sees the verdict, and sees an incident with its deadlines counting down', async () => {
    const admin = await fetch(`${demo.runtime.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin.370102', password: password('admin.370102') }) });
    const { accessToken } = (await admin.json()) as { accessToken: string };
    const opened = await fetch(`${demo.runtime.url}/v1/staff/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'SYSTEM_ANOMALY', severity: 'MEDIUM', summary: '浏览器测试：登记系统响应缓慢' }),
    });
    expect(opened.status).toBe(201);
    const incidentId = ((await opened.json()) as { incidentId: string }).incidentId;

    const page = await signIn('auditor.370102');
    await page.locator('[data-nav="audit"]').click();
    // The checkpoint signs the district's log within seconds of its entries; the check wants a signed head.
    const token = await tokenOf(page);
    await eventually('a signed tree head', async () => {
      const heads = (await (await fetch(`${demo.runtime.url}/v1/staff/audit/logs/370102/tree-heads`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] };
      return heads.items.length >= 2 ? heads : undefined;
    });
    await page.getByRole('button', { name: '校验日志一致性' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor({ timeout: 30_000 });
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await verdict.textContent()).toContain('校验通过');
    await page.screenshot({ path: `${SHOTS}/audit.png`, fullPage: true });

    await page.locator('[data-nav="incidents"]').click();
    const card = page.locator(`[data-incident="${incidentId}"]`);
    await card.waitFor();
    const report = card.getByTestId('report-deadline');
    expect(await report.getAttribute('data-state')).toBe('running');
    const first = await report.locator('strong').textContent();
    expect(first).toMatch(/^剩余 (\d+ 分 \d{2} 秒|\d+ 小时 \d{2} 分)$/);
    await expect.poll(() => report.locator('strong').textContent(), { timeout: 5_000 }).not.toBe(first);
    expect(await card.getByTestId('result-deadline').getAttribute('data-state')).toBe('pending');
    await page.screenshot({ path: `${SHOTS}/incidents.png`, fullPage: true });
    await page.close();
  }, 120_000);

  it('a clerk gets the statistics and the worklist, and no credit pages or actions', async () => {
    const page = await signIn('clerk.370102');
    expect(await page.locator('nav a').allTextContents()).toEqual(['业务统计', '待办工作']);
    await page.locator('[data-chart="filings-trend"]').waitFor();
    // The CSV export is the API's own CSV of the figures shown, saved under the district's name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-csv="filings"]').click()]);
    expect(download.suggestedFilename()).toBe('filings-370102.csv');
    const saved = await readFile((await download.path())!, 'utf8');
    const from = cstDate(new Date(Date.now() - 29 * 86_400_000));
    const csv = await (await fetch(`${demo.runtime.url}/v1/staff/statistics/filings?from=${from}&to=${cstDate(new Date())}&granularity=day&format=csv`, { headers: { authorization: `Bearer ${await tokenOf(page)}` } })).text();
    expect(saved.split('\n')[0]).toContain('district');
    expect(saved).toBe(csv);
    expect(await page.getByTestId('credit-actions').count()).toBe(0);
    await page.goto(`${demo.runtime.url}/console/#/credit`);
    expect(await page.locator('[data-nav="credit"]').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/statistics.png`, fullPage: true });
    await page.close();
  }, 60_000);

  it('works from the keyboard alone, at 1280 px and on a tablet (768 px), with every control labelled', async () => {
    const page = await browser.newPage({ viewport: { width: 768, height: 1024 }, hasTouch: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    // What has the focus: its label (for a form control), or its text. Runs in the page.
    const focused = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as { document: { activeElement: { id: string; tagName: string; textContent: string | null; labels?: { textContent: string | null }[] } | null } }).document.activeElement;
        return el === null ? '' : el.labels?.[0]?.textContent?.trim() || el.textContent?.trim() || `${el.tagName}#${el.id}`;
      });
    const tabTo = async (wanted: RegExp, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press(key);
        if (wanted.test(await focused())) return;
      }
      throw new Error(`Tab never reached ${wanted}`);
    };

    // Sign in with the keyboard only.
    await page.goto(`${demo.runtime.url}/console/`);
    await page.getByLabel('用户名').waitFor();
    await tabTo(/^用户名$/);
    await page.keyboard.type('credit_officer.370102');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('密码');
    await page.keyboard.type(password('credit_officer.370102'));
    await page.keyboard.press('Enter');
    await page.getByTestId('who').waitFor();
    await page.locator('[data-chart="channel-volume"]').waitFor();

    // The navigation is reached and followed with Tab and Enter, and the new page takes the focus.
    await tabTo(/^信用管理$/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('nav [aria-current="page"]').textContent()).toBe('信用管理');
    const focusedId = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id);
    await expect.poll(focusedId).toBe('main');
    // Back up to the skip link, the first stop of the page; following it lands in this page's content, on this page.
    const firstStop = await page.evaluate(
      () => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')?.textContent,
    );
    expect(firstStop).toBe('跳到正文');
    await tabTo(/^跳到正文$/, 'Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await focusedId()).toBe('main');
    expect(await page.locator('nav [aria-current="page"]').textContent()).toBe('信用管理');
    expect(await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash)).toBe('#/credit');
    await page.close();

    // Every page of three roles, at both widths: no control without a name, nothing wider than the window.
    const audit = (on: Page): Promise<{ unlabelled: string[]; overflow: number }> =>
      on.evaluate(() => {
        type El = { tagName: string; type?: string; outerHTML: string; textContent: string | null; labels?: ArrayLike<unknown> | null; getAttribute(n: string): string | null; getClientRects(): ArrayLike<unknown> };
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El>; documentElement: { scrollWidth: number; clientWidth: number } } }).document;
        const unlabelled = Array.from(doc.querySelectorAll('input, select, textarea, button'))
          .filter((el) => el.getClientRects().length > 0 && el.type !== 'hidden')
          .filter((el) =>
            el.tagName === 'BUTTON'
              ? !(el.textContent?.trim() || el.getAttribute('aria-label'))
              : !((el.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')),
          )
          .map((el) => el.outerHTML.slice(0, 160));
        return { unlabelled, overflow: doc.documentElement.scrollWidth - doc.documentElement.clientWidth };
      });
    for (const username of ['credit_officer.370102', 'auditor.370102', 'clerk.370102']) {
      const staffPage = await signIn(username);
      const pages = await staffPage.locator('nav a').evaluateAll((links) => links.map((a) => (a as unknown as { dataset: { nav: string } }).dataset.nav));
      expect(pages.length).toBeGreaterThan(0);
      for (const width of [1280, 768]) {
        await staffPage.setViewportSize({ width, height: 1024 });
        for (const nav of pages) {
          await staffPage.locator(`[data-nav="${nav}"]`).click();
          await staffPage.waitForLoadState('networkidle');
          await staffPage.locator('main h2').first().waitFor();
          expect({ username, width, nav, ...(await audit(staffPage)) }).toEqual({ username, width, nav, unlabelled: [], overflow: 0 });
        }
      }
      await staffPage.close();
    }
    expect(errors).toEqual([]);
  }, 180_000);
});
