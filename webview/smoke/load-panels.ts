/**
 * Loads each built panel bundle in Debian's Chromium (playwright-core) behind the same CSP the
 * extension uses, with a stand-in for VS Code's `acquireVsCodeApi`, feeds it the messages its
 * host would send, and fails on any console error, page error or CSP violation. A quick check
 * that the bundles run in a browser; the end-to-end suite drives the real extension.
 *
 *   node esbuild.mjs && node --import tsx webview/smoke/load-panels.ts
 *
 * Screenshots go to test-results/webview-smoke/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createNonce, renderPanelHtml } from '../../client/src/panels/csp.ts';
import { estimateJobCost } from '../../common/training/cost-model.ts';
import { formatMoney } from '../src/format/format.ts';
import type { PanelKind } from '../src/shared/messages.ts';

const root = new URL('../..', import.meta.url).pathname;
const dist = join(root, 'dist', 'webview');
const shots = join(root, 'test-results', 'webview-smoke');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

function serve(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const nonce = createNonce();
    const origin = `http://${req.headers.host}`;
    const page = /^\/panel\/(configure|monitor|model|cost)$/.exec(url.pathname)?.[1];
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        renderPanelHtml({
          cspSource: origin,
          nonce,
          title: page,
          scriptUri: `${origin}/dist/webview/${page}.js`,
          styleUri: `${origin}/dist/webview/${page}.css`,
        }),
      );
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = /^\/dist\/webview\/([a-z]+\.(js|css|js\.map|css\.map))$/.exec(url.pathname)?.[1];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'text/plain',
    });
    res.end(readFileSync(join(dist, file)));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    }),
  );
}

/** The stand-in for VS Code: records what the app posts and keeps its state. */
const VSCODE_STUB = `
  window.__posted = [];
  window.__state = undefined;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => window.__state,
    setState: (s) => { window.__state = s; },
  });
`;

async function send(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

async function posted(page: Page, type: string): Promise<Record<string, unknown>> {
  const handle = await page.waitForFunction(
    (t) =>
      (window as unknown as { __posted: { type: string }[] }).__posted.findLast(
        (m) => m.type === t,
      ),
    type,
    { timeout: 10_000 },
  );
  return (await handle.jsonValue()) as Record<string, unknown>;
}

const dataset = {
  id: 'd1',
  name: 'support-chats',
  status: 'ready',
  training_ready: true,
  total_training_pairs: 1000,
  total_tokens: 3_600_000,
  tokens_estimated: false,
};
const config = {
  preset_id: 'balanced',
  hyperparameters: {
    base_model: 'mistralai/Mistral-7B-v0.1',
    learning_rate: 0.0002,
    batch_size: 8,
    epochs: 5,
    lora_rank: 16,
    lora_alpha: 32,
    lora_dropout: 0.1,
    warmup_ratio: 0.1,
    max_seq_length: 2048,
    gradient_accumulation_steps: 1,
    validation_split: 0.1,
  },
  gpu_config: { type: 'A100-80GB', count: 1 },
};
const job = {
  id: 'j1',
  dataset_id: 'd1',
  name: 'support run',
  status: 'running',
  current_stage: 'training',
  progress: 40,
  current_epoch: 2,
  current_step: 10_000,
  epochs: 5,
  total_steps: 25_000,
  estimated_cost: 9.83,
  hourly_rate: 3.5,
  actual_cost: null,
  running_cost: 1.2,
  eta_seconds: 1800,
  gpu_type: 'A100-80GB',
  gpu_count: 1,
  base_model: 'mistralai/Mistral-7B-v0.1',
  cancel_requested_at: null,
  error_message: null,
  started_at: new Date(Date.now() - 600_000).toISOString(),
  completed_at: null,
  created_at: new Date(Date.now() - 700_000).toISOString(),
  current_training_loss: 1.2,
  current_validation_loss: 1.3,
};
const points = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      step: i,
      epoch: i / 5000,
      training_loss: 3 * Math.exp(-i / 3000) + 0.4 + 0.05 * Math.sin(i),
      validation_loss: i % 500 === 0 ? 3 * Math.exp(-i / 3000) + 0.5 : null,
      learning_rate: 0.0002 * Math.min(1, i / 1000),
      gradient_norm: null,
      throughput: null,
      gpu_utilization: null,
      created_at: new Date().toISOString(),
    };
  });

const scenarios: Record<PanelKind, (page: Page) => Promise<void>> = {
  async configure(page) {
    await posted(page, 'ready');
    await send(page, { type: 'datasets', datasets: [dataset], selectedDatasetId: 'd1' });
    const cost = (epochs: number) =>
      formatMoney(
        estimateJobCost({
          gpu_config: { type: 'A100-80GB', count: 1 },
          hyperparameters: { ...config.hyperparameters, epochs },
          dataset,
        }).estimated_cost,
      );
    const shows = (text: string) =>
      page.waitForFunction(
        (t) => document.querySelector('#estimate-cost')?.textContent === t,
        text,
      );
    /** Answers the newest estimate request (after `after`) as the server would. */
    const answerEstimate = async (epochs: number, after: number) => {
      const handle = await page.waitForFunction(
        (n) =>
          (
            window as unknown as { __posted: { type: string; requestId?: number }[] }
          ).__posted.findLast((m) => m.type === 'requestEstimate' && (m.requestId ?? 0) > n),
        after,
      );
      const request = (await handle.jsonValue()) as unknown as {
        requestId: number;
        request: { hyperparameters: { epochs: number } };
      };
      assert.equal(request.request.hyperparameters.epochs, epochs);
      await send(page, {
        type: 'estimate',
        requestId: request.requestId,
        estimate: {
          ...estimateJobCost({
            gpu_config: { type: 'A100-80GB', count: 1 },
            hyperparameters: { ...config.hyperparameters, epochs },
            dataset,
          }),
          config,
          dataset,
        },
      });
      await page.waitForSelector('.estimate-status[data-state="confirmed"]');
      return request.requestId;
    };
    const submitDisabled = () =>
      page.locator('#submit').evaluate((b) => (b as HTMLButtonElement).disabled);

    await shows(cost(5));
    assert.equal(await submitDisabled(), true, 'Submit waits for the server');
    const first = await answerEstimate(5, 0);
    await page.waitForFunction(
      () => !(document.querySelector('#submit') as HTMLButtonElement).disabled,
    );
    // An out-of-range value shows the limit and disables Submit at once.
    await page.locator('#field-epochs input').fill('50');
    await page.waitForFunction(() =>
      document.querySelector('#error-epochs')?.textContent?.includes('between 1 and 20'),
    );
    assert.equal(await submitDisabled(), true);
    // A valid change moves the local estimate at once, then the server confirms it.
    await page.locator('#field-epochs input').fill('3');
    await shows(cost(3));
    await answerEstimate(3, first);
    await page.waitForFunction(
      () => !(document.querySelector('#submit') as HTMLButtonElement).disabled,
    );
    await page.locator('#submit').click();
    const submit = (await posted(page, 'submit')) as {
      request: { dataset_id: string; preset_id: string; hyperparameters: { epochs: number } };
    };
    assert.equal(submit.request.dataset_id, 'd1');
    assert.equal(submit.request.preset_id, 'custom');
    assert.equal(submit.request.hyperparameters.epochs, 3);
    await send(page, { type: 'submitted', jobId: 'j1', label: 'support run' });
    await page.waitForFunction(() => document.body.textContent?.includes('its monitor is open'));
    await page.screenshot({ path: join(shots, 'configure.png'), fullPage: true });
  },
  async monitor(page) {
    await posted(page, 'ready');
    await send(page, { type: 'job', job, artifactId: null });
    // Hand the history to the page first so the timing below is the app's, not the transfer's.
    const history = { type: 'metrics', jobId: 'j1', points: points(0, 10_000), reset: true };
    await page.evaluate(
      (m) => ((window as unknown as { __history: unknown }).__history = m),
      history,
    );
    let started = Date.now();
    await page.evaluate(() =>
      window.postMessage((window as unknown as { __history: unknown }).__history, '*'),
    );
    await page.waitForSelector('#loss-chart[data-points="10000"]');
    console.log(`  monitor: 10,000 points of history drawn in ${Date.now() - started} ms`);
    started = Date.now();
    for (let i = 0; i < 10; i++) {
      await send(page, {
        type: 'metrics',
        jobId: 'j1',
        points: points(10_000 + i * 10, 10),
        reset: false,
      });
    }
    await page.waitForSelector('#loss-chart[data-points="10100"]');
    const drawn = Number(await page.locator('#loss-chart').getAttribute('data-drawn'));
    assert.ok(drawn <= 1000, `drew ${drawn} points`);
    console.log(
      `  monitor: 10 live batches appended in ${Date.now() - started} ms; ${drawn} points drawn per line`,
    );
    await page.locator('#smoothing').fill('0.9');
    await page.screenshot({ path: join(shots, 'monitor.png'), fullPage: true });
    await send(page, {
      type: 'job',
      job: {
        ...job,
        status: 'completed',
        current_stage: 'completed',
        progress: 100,
        actual_cost: 2.5,
        recorded_cost: { training_compute: 2.5, storage: 0.5, total: 3 },
      },
      artifactId: 'm1',
    });
    await page.waitForSelector('#quality-score');
    assert.equal(
      await page.locator('#final-cost').textContent(),
      '$3.00 (compute $2.50 + storage $0.50)',
    );
    await page.locator('#export-csv').click();
    const csv = (await posted(page, 'exportCsv')) as { csv: string };
    assert.equal(csv.csv.split('\r\n').length, 10_102);
  },
  async model(page) {
    await posted(page, 'ready');
    await send(page, {
      type: 'model',
      model: {
        id: 'm1',
        job_id: 'j1',
        name: 'support-chats adapter',
        base_model: 'mistralai/Mistral-7B-v0.1',
        status: 'ready',
        files: {
          'adapter_model.safetensors': { path: 'u/m1/adapter_model.safetensors', size: 25_000_000 },
          'adapter_config.json': { path: 'u/m1/adapter_config.json', size: 700 },
        },
        total_size: 25_000_700,
        quality_metrics: {
          overall_score: 4,
          convergence_quality: 'good',
          final_training_loss: 0.9,
          final_validation_loss: 1.1,
          perplexity: 3,
          loss_reduction_percent: 42,
        },
        overall_score: 4,
        training_summary: {
          epochs_completed: 5,
          total_steps: 625,
          final_loss: 0.9,
          training_duration_hours: 1.2,
          total_cost: 4.7,
          gpu_type: 'A100-80GB',
          gpu_count: 1,
          dataset_name: 'support-chats',
        },
        config,
        error_message: null,
        created_at: new Date().toISOString(),
      },
      checkpoints: [
        {
          id: 'c1',
          epoch: 1,
          step: 125,
          training_loss: 1.5,
          validation_loss: 1.6,
          file_size: 25_000_000,
          created_at: new Date().toISOString(),
        },
      ],
    });
    await page.waitForSelector('#download-all');
    await page.locator('vscode-button[aria-label="Download adapter_config.json"]').click();
    const request = (await posted(page, 'download')) as { files: string[] };
    assert.deepEqual(request.files, ['adapter_config.json']);
    await page.screenshot({ path: join(shots, 'model.png'), fullPage: true });
  },
  async cost(page) {
    await posted(page, 'ready');
    await send(page, {
      type: 'dashboard',
      fetchedAt: Date.now(),
      running: [
        {
          jobId: 'j1',
          label: 'support run',
          gpuType: 'H100',
          gpuCount: 2,
          hourlyRate: 8.4,
          runningCost: 1.5,
          startedAt: null,
        },
      ],
      dashboard: {
        currency: 'USD',
        current_month: { period: '2026-11-01', total: 12.5, compute: 11.5, storage: 1 },
        last_month: { period: '2026-10-01', total: 8, compute: 7.5, storage: 0.5 },
        change_percent: 56.25,
        by_period: [
          { period: '2026-10-01', total: 8, compute: 7.5, storage: 0.5 },
          { period: '2026-11-01', total: 12.5, compute: 11.5, storage: 1 },
        ],
        by_job: [{ job_id: 'j0', job_name: 'first run', gpu_type: 'A100-80GB', total: 9.83 }],
        by_gpu_type: [{ gpu_type: 'A100-80GB', total: 9.33, hours: 2.67 }],
        active: { jobs: 1, running_cost: 1.5 },
        total_in_window: 20.5,
      },
    });
    await page.waitForFunction(
      () => document.querySelector('#this-month')?.textContent === '$12.50',
    );
    await page.screenshot({ path: join(shots, 'cost.png'), fullPage: true });
  },
};

mkdirSync(shots, { recursive: true });
const { server, origin } = await serve();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let failed = 0;
try {
  for (const theme of ['vscode-dark', 'vscode-light', 'vscode-high-contrast'] as const) {
    for (const kind of Object.keys(scenarios) as PanelKind[]) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning')
          problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.addInitScript(
        `${VSCODE_STUB}; document.addEventListener('DOMContentLoaded', () => document.body.classList.add('${theme}'));`,
      );
      const label = `${kind} (${theme})`;
      try {
        await page.goto(`${origin}/panel/${kind}`);
        if (theme === 'vscode-dark') await scenarios[kind](page);
        else {
          await posted(page, 'ready');
          await page.screenshot({
            path: join(shots, `${kind}-${theme.slice('vscode-'.length)}.png`),
          });
        }
        assert.deepEqual(problems, []);
        console.log(`ok: ${label}`);
      } catch (error) {
        failed++;
        await page.screenshot({ path: join(shots, `${kind}-failure.png`), fullPage: true });
        console.log(`FAILED: ${label}: ${error instanceof Error ? error.message : String(error)}`);
        for (const p of problems) console.log(`  ${p}`);
      } finally {
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
process.exitCode = failed ? 1 : 0;
