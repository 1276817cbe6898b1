// The whole BrightRun journey in a real VS Code (code-server) driven through headless Debian
// Chromium by playwright-core, with the packaged .vsix installed and the local stack running:
// diagnostics, a quick fix, upload from the palette, configure + estimate + submit in the
// webview, the live monitor until the job completes, the model download, the cost dashboard.
// Each step saves test-results/e2e/NN-step.png (and NN-step-failed.png when it fails).
//
// The steps build on each other (one dataset, one job, one model); a step whose prerequisite
// failed fails at once, naming the step it needs, so the first failure is the one to read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Frame, Page } from 'playwright-core';
import type {
  CostDashboard,
  DatasetSummary,
  DownloadResponse,
  JobDetailResponse,
  JobMetricsResponse,
  ModelArtifact,
  Page as ApiPage,
  TrainingJob,
} from '../../common/api/types.ts';
import { formatMoney } from '../../webview/src/format/format.ts';
import {
  launchChromium,
  startCodeServer,
  type CodeServer,
} from '../extension/support/code-server.ts';
import { waitForFileText } from './support/files.ts';
import { callApi, startLocalStack, type LocalStack } from './support/local-stack.ts';
import {
  QUICK_INPUT,
  Screenshots,
  clearToasts,
  openFile,
  problemRow,
  quickPickRow,
  runCommand,
  statusBarItem,
  waitForNotification,
  webviewFrame,
} from './support/workbench.ts';
import { EXAMPLE_FILE, TYPO_FILE, createJourneyWorkspace } from './support/workspace.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const resultsDir = join(root, 'test-results', 'e2e');

/** How long one UI action may take (the workbench is slow on a busy 2-core machine). */
const UI_MS = 30_000;
/** Upload plus server-side validation of the 17-pair example. */
const READY_MS = 90_000;
/** Queue, tiny CPU training and artifacts of a few dozen steps. */
const TRAINING_MS = 240_000;

const TYPO_FIX = 'Replace "assistent" with "assistant"';

describe('the BrightRun journey in VS Code (code-server + Chromium + local stack)', function () {
  let scratch = '';
  let workspace = '';
  let stack: LocalStack | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const shots = new Screenshots(resultsDir);
  const pageLog: string[] = [];
  let started = 0;
  const passed = new Set<number>();

  // What the steps hand on to each other.
  let dataset: DatasetSummary | undefined;
  let job: TrainingJob | undefined;
  let model: ModelArtifact | undefined;
  let monitor: Frame;

  /** Fails the current step at once when a step it builds on did not pass. */
  function needs(...steps: number[]): void {
    const missing = steps.filter((s) => !passed.has(s));
    if (missing.length > 0) {
      throw new Error(`not run: step ${missing.join(', ')} did not pass (see its failure above)`);
    }
  }

  before(async function () {
    this.timeout(300_000);
    started = Date.now();
    rmSync(resultsDir, { recursive: true, force: true });
    mkdirSync(resultsDir, { recursive: true });
    scratch = mkdtempSync(join(tmpdir(), 'brightrun-e2e-'));
    const vsix = join(scratch, 'brightrun.vsix');
    // `npm run package`: the .vsix users install, not the development folder.
    execFileSync(process.execPath, [join(root, 'scripts', 'package-extension.mjs'), vsix], {
      cwd: root,
      stdio: 'ignore',
    });
    workspace = createJourneyWorkspace();
    stack = await startLocalStack(workspace);
    server = await startCodeServer({
      folder: workspace,
      vsix,
      settings: {
        'workbench.editor.enablePreview': false,
        'brightrun.views.pollIntervalSeconds': 1,
        // The journey opens its own files; a first-run walkthrough would race them for focus.
        'brightrun.openWalkthroughOnFirstRun': false,
      },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(UI_MS);
    page.on('console', (m) => {
      if (m.type() === 'error') pageLog.push(`[console] ${m.text()}`);
    });
    page.on('pageerror', (e) => pageLog.push(`[pageerror] ${e.message}`));
    await page.goto(`${server.origin}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.explorer-folders-view').waitFor({ state: 'visible', timeout: 60_000 });
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !page || test.err?.message.startsWith('not run')) return;
    const name = /^(\d+)/.exec(test.title)?.[1] ?? 'xx';
    // Every notification, errors included, in the failure screenshot.
    await page.keyboard.press('Escape').catch(() => undefined);
    await runCommand(page, 'Notifications: Show Notifications').catch(() => undefined);
    await shots.take(page, `${name.padStart(2, '0')}-failed`).catch(() => undefined);
    console.log(`--- page errors\n${pageLog.slice(-20).join('\n')}`);
    // Close whatever the failed step left open (a menu, a quick input) for the next steps.
    await page.keyboard.press('Escape').catch(() => undefined);
    await page.keyboard.press('Escape').catch(() => undefined);
  });

  after(async function () {
    this.timeout(180_000);
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown> | undefined) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(() => browser?.close());
    await attempt(() => server?.stop());
    await attempt(() => stack?.stop());
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary = `e2e journey: ${passed.size} of 7 steps passed in ${seconds} s\nscreenshots:\n${shots.taken.map((p) => `  ${p}`).join('\n')}\n`;
    writeFileSync(join(resultsDir, 'summary.txt'), summary);
    console.log(summary);
    if (errors.length > 0) throw new AggregateError(errors, 'cleaning up failed');
  });

  it('1. shows the diagnostics of the example dataset and of a file with a problem', async function () {
    this.timeout(120_000);
    await openFile(page, EXAMPLE_FILE);
    // The language server's summary for the example: every line valid, training-ready.
    await statusBarItem(page, '17 pairs · ready').waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor').first().click();
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').waitFor({ state: 'visible' });
    await openFile(page, TYPO_FILE);
    await statusBarItem(page, '1 pair · 1 error').waitFor();
    await problemRow(page, /not "assistent"/).waitFor();
    await problemRow(page, /needs at least 10/).waitFor();
    // The example has no problems: the panel lists only the fixture's file.
    assert.equal(await problemRow(page, EXAMPLE_FILE).count(), 0, 'no problems in the example');
    await shots.take(page, '01-diagnostics');
    passed.add(1);
  });

  it('2. applies a quick fix and the problem disappears', async function () {
    this.timeout(60_000);
    needs(1);
    // Open the problem's location in the editor (the cursor lands on the diagnostic).
    await problemRow(page, /not "assistent"/).dblclick();
    await page.locator('.monaco-editor.focused').waitFor();
    await page.keyboard.press('Control+.');
    // The preferred fix is focused in the menu; Enter applies it (as a keyboard user does; the
    // menu ignores the mouse until it has moved).
    const fix = page
      .locator('.action-widget .monaco-list-row.focused')
      .filter({ hasText: TYPO_FIX });
    await fix.waitFor({ state: 'visible' });
    await shots.take(page, '02-quick-fix-menu');
    await page.keyboard.press('Enter');
    await fix.waitFor({ state: 'detached' });
    await problemRow(page, /not "assistent"/).waitFor({ state: 'detached' });
    // Line 2 is valid now, so the file has two pairs.
    await statusBarItem(page, /\b2 pairs\b/).waitFor();
    // The warning (too few pairs) stays: only the fixed problem went away.
    await problemRow(page, /needs at least 10/).waitFor();
    await page.keyboard.press('Control+S');
    const saved = await waitForFileText(
      join(workspace, 'datasets', TYPO_FILE),
      (text) => text.includes('"role":"assistant"') && !text.includes('assistent'),
      UI_MS,
    );
    assert.match(saved, /"role":"assistant"/);
    await shots.take(page, '02-quick-fix');
    passed.add(2);
  });

  it('3. uploads the example dataset from the palette and sees it become ready', async function () {
    this.timeout(READY_MS + 60_000);
    needs(1);
    await openFile(page, EXAMPLE_FILE);
    await runCommand(page, 'BrightRun: Upload Dataset');
    // The name prompt offers the file's name; accept it.
    const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    await page.waitForFunction(
      () =>
        (document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement)
          ?.value === 'financial-coaching',
      undefined,
      { timeout: 60_000 },
    );
    await input.press('Enter');
    await waitForNotification(page, 'Uploaded "financial-coaching"', 60_000);
    // The Datasets view shows it ready: pairs and tokens replace the status.
    // The whole activity bar entry: its badge (unread notifications) covers part of the icon.
    await page
      .locator('.activitybar .action-item')
      .filter({ has: page.locator('a[aria-label^="BrightRun"]') })
      .click();
    const row = page
      .locator('.pane-body .monaco-list-row')
      .filter({ hasText: 'financial-coaching' })
      .filter({ hasText: '17 pairs' });
    await row.waitFor({ timeout: READY_MS });
    const datasets = await callApi<ApiPage<DatasetSummary>>(stack!.info, 'GET', '/datasets');
    dataset = datasets.items.find((d) => d.name === 'financial-coaching');
    assert.ok(dataset, 'the API lists the uploaded dataset');
    assert.equal(dataset.status, 'ready');
    assert.equal(dataset.training_ready, true);
    assert.equal(dataset.total_training_pairs, 17);
    await shots.take(page, '03-upload-ready');
    passed.add(3);
  });

  it('4. configures a job, sees the estimate change with a field, and submits', async function () {
    this.timeout(120_000);
    needs(3);
    await runCommand(page, 'BrightRun: Configure Training Job');
    const form = await webviewFrame(page, '#submit', UI_MS);
    const confirmed = form.locator('.estimate-status[data-state="confirmed"]');
    await confirmed.waitFor();
    // The dataset we uploaded is preselected; train the built-in tiny model on the CPU.
    assert.equal(
      await form.locator('#dataset').evaluate((el) => (el as HTMLSelectElement).value),
      dataset!.id,
    );
    await form.locator('#base_model').click();
    await form.locator('vscode-option[value="builtin/tiny-gpt"]').click();
    await confirmed.waitFor();
    const before = await estimate(form);
    /** Types into a field; the local figure updates at once, then the server confirms it. */
    const change = async (field: string, value: string) => {
      await form.locator(`#field-${field} input`).fill(value);
      await form.locator('.estimate-status[data-state="local"]').waitFor();
      await confirmed.waitFor();
      return estimate(form);
    };
    // More epochs (the most, 20, instead of the preset's 5): the tiny CPU model trains about
    // 150 steps a second, so 280 steps keep it running over several of the monitor's updates.
    const moreEpochs = await change('epochs', '20');
    assert.notEqual(moreEpochs.cost, before.cost, 'more epochs cost more');
    assert.notEqual(moreEpochs.steps, before.steps, 'more epochs, more steps');
    // Smaller batches: more optimizer steps for the same tokens (so the monitor has a curve to
    // follow); the price follows the tokens, not the steps.
    const smallerBatches = await change('batch_size', '1');
    assert.notEqual(smallerBatches.steps, moreEpochs.steps, 'smaller batches, more steps');
    console.log(
      `      estimate: ${[before, moreEpochs, smallerBatches].map((e) => JSON.stringify(e)).join(' → ')}`,
    );
    await form.locator('#estimate-cost').scrollIntoViewIfNeeded();
    await clearToasts(page);
    await shots.take(page, '04-configure-estimate');
    await form.locator('#submit:not([disabled])').click();
    // The monitor opens for the new job.
    monitor = await webviewFrame(page, '#loss-chart', UI_MS);
    // Record every value the chart's point count takes from now on (step 5 reads it).
    await monitor.locator('#loss-chart').evaluate((chart) => {
      const seen = [chart.getAttribute('data-points') ?? '0'];
      (window as unknown as { seenPoints: string[] }).seenPoints = seen;
      new MutationObserver(() => seen.push(chart.getAttribute('data-points') ?? '0')).observe(
        chart,
        { attributes: true, attributeFilter: ['data-points'] },
      );
    });
    const jobs = await callApi<ApiPage<TrainingJob>>(stack!.info, 'GET', '/jobs');
    job = jobs.items.find((j) => j.dataset_id === dataset!.id);
    assert.ok(job, 'the API lists the submitted job');
    assert.equal(job.batch_size, 1);
    assert.equal(job.epochs, 20);
    passed.add(4);
  });

  it('5. the monitor receives points until the job completes', async function () {
    this.timeout(TRAINING_MS + 60_000);
    needs(4);
    const chart = monitor.locator('#loss-chart');
    // The tiny job trains in a few seconds: the picture is taken at once, while it still runs.
    await chart.scrollIntoViewIfNeeded();
    await shots.take(page, '05-monitor-running');
    await monitor.locator('#quality-score').waitFor({ timeout: TRAINING_MS });
    const last = await points(monitor);
    // Points arrived while the job ran, in more than one update, not in one load at the end.
    const seen = await monitor.evaluate(
      () => (window as unknown as { seenPoints: string[] }).seenPoints,
    );
    const counts = [...new Set(seen.map(Number).filter((n) => n > 0))];
    assert.ok(
      counts.length >= 2 && counts[counts.length - 1] === last,
      `the chart grew while training; its point counts: ${seen.join(' → ')}`,
    );
    assert.ok(Number(await chart.getAttribute('data-drawn')) > 0, 'the chart drew its points');
    assert.match((await monitor.locator('#quality-score').textContent()) ?? '', /of 5$/);
    const detail = await callApi<JobDetailResponse>(stack!.info, 'GET', `/jobs/${job!.id}`);
    assert.equal(detail.job.status, 'completed');
    const metrics = await callApi<JobMetricsResponse>(
      stack!.info,
      'GET',
      `/jobs/${job!.id}/metrics?limit=5000`,
    );
    assert.equal(last, metrics.points.length, 'the chart holds every point the API stored');
    console.log(`      monitor: point counts ${counts.join(' → ')}`);
    await clearToasts(page);
    job = detail.job;
    await shots.take(page, '05-monitor-completed');
    passed.add(5);
  });

  it('6. downloads the model and the files on disk have the sizes the API lists', async function () {
    this.timeout(120_000);
    needs(5);
    // The Models view shows the model once create-model-artifacts has made it ready (score and
    // size replace the status).
    await page
      .locator('.pane')
      .filter({ has: page.locator('.pane-header', { hasText: 'Models' }) })
      .locator('.monaco-list-row')
      .filter({ hasText: /score .* · [\d.]+ [KMG]?B/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const models = await callApi<ApiPage<ModelArtifact>>(
      stack!.info,
      'GET',
      `/models?job_id=${job!.id}`,
    );
    model = models.items.find((m) => m.status === 'ready');
    assert.ok(model, `the job's model is ready: ${JSON.stringify(models.items)}`);
    const target = join(workspace, 'downloaded-model');
    mkdirSync(target);
    await runCommand(page, 'BrightRun: Download Model');
    await quickPickRow(page, model.name).click();
    // Every file is picked by default: accept.
    await page
      .locator(`${QUICK_INPUT} .quick-input-title`, { hasText: 'Download model files' })
      .waitFor();
    await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).first().waitFor();
    await page.locator(`${QUICK_INPUT} .quick-input-box input`).press('Enter');
    // The folder prompt: code-server's own file dialog, a quick input holding a path.
    const title = page.locator(`${QUICK_INPUT} .quick-input-title`, {
      hasText: 'Download the model into',
    });
    await title.waitFor();
    const pathInput = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    const rows = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;
    // The dialog lists its starting folder once it has loaded: typing before that is lost.
    await page.locator(rows).first().waitFor();
    await pathInput.fill(`${target}/`);
    // The dialog has moved into the (empty) folder once it lists nothing but "..": only then
    // does its button choose that folder.
    await page.waitForFunction((selector) => {
      const shown = document.querySelectorAll(selector);
      return shown.length === 1 && shown[0].getAttribute('aria-label') === '..';
    }, rows);
    await shots.take(page, '06-download-folder');
    await page.locator(`${QUICK_INPUT} .monaco-button`, { hasText: 'Download Here' }).click();
    await waitForNotification(page, /Downloaded \d+ model files? to /, 60_000).catch(
      (error: Error) => {
        error.message += `\nin ${target}: ${readdirSync(target).join(', ') || 'nothing'}`;
        throw error;
      },
    );
    const listed = await callApi<DownloadResponse>(
      stack!.info,
      'POST',
      `/models/${model.id}/download`,
      {},
    );
    assert.ok(listed.files.length > 0, 'the model has files');
    for (const file of listed.files) {
      const size = statSync(join(target, file.name)).size;
      assert.equal(size, file.size, `${file.name} on disk has the size the API lists`);
    }
    await shots.take(page, '06-download');
    passed.add(6);
  });

  it("7. the cost dashboard shows the job's cost", async function () {
    this.timeout(60_000);
    needs(5);
    // The monitor's final cost is what the job cost, compute plus storage, as recorded: the
    // figure the dashboard shows for it (the monitor reads it once the artifact exists).
    const detail = await callApi<JobDetailResponse>(stack!.info, 'GET', `/jobs/${job!.id}`);
    assert.ok(detail.job.recorded_cost, 'the job has cost records');
    const finalCost = formatMoney(detail.job.recorded_cost.total);
    await monitor.waitForFunction(
      (total) => document.querySelector('#final-cost')?.textContent?.startsWith(total) === true,
      finalCost,
      { timeout: UI_MS },
    );
    await runCommand(page, 'BrightRun: Open Cost Dashboard');
    const costs = await webviewFrame(page, '#this-month', UI_MS);
    const dashboard = await callApi<CostDashboard>(stack!.info, 'GET', '/costs/dashboard');
    const entry = dashboard.by_job.find((j) => j.job_id === job!.id);
    assert.ok(entry, 'the dashboard API has a cost for the job');
    assert.ok(entry.total > 0, 'the job cost something');
    assert.equal(formatMoney(entry.total), finalCost, 'the dashboard and the monitor agree');
    const jobRow = costs.locator('tr').filter({ hasText: entry.job_name ?? job!.id.slice(0, 8) });
    await jobRow.first().waitFor();
    assert.match((await jobRow.first().textContent()) ?? '', new RegExp(escapeMoney(entry.total)));
    assert.equal(
      (await costs.locator('#this-month').textContent())?.trim(),
      formatMoney(dashboard.current_month.total),
    );
    await jobRow.first().scrollIntoViewIfNeeded();
    await clearToasts(page);
    await shots.take(page, '07-cost-dashboard');
    passed.add(7);
  });
});

/** The configure panel's estimate as shown. */
async function estimate(form: Frame): Promise<{ cost: string; duration: string; steps: string }> {
  const text = async (id: string) => ((await form.locator(id).textContent()) ?? '').trim();
  return {
    cost: await text('#estimate-cost'),
    duration: await text('#estimate-duration'),
    steps: await text('#estimate-steps'),
  };
}

async function points(monitor: Frame): Promise<number> {
  return Number((await monitor.locator('#loss-chart').getAttribute('data-points')) ?? 0);
}

function escapeMoney(amount: number): string {
  return formatMoney(amount).replace(/[$.]/g, '\\$&');
}
