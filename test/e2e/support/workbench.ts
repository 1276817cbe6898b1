// Driving VS Code's web workbench (code-server) the way a user does: the command palette, quick
// open, quick inputs, notifications, the Problems panel and webview panels. Selectors are
// VS Code's own (environment.md lists the stable ones). Nothing here sleeps: every step waits
// for the element or state it needs, with a timeout.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';

export const QUICK_INPUT = '.quick-input-widget';

/** Screenshots of each step, kept as CI output (test-results/ is not committed). */
export class Screenshots {
  readonly taken: string[] = [];
  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }
  async take(page: Page, name: string): Promise<string> {
    const path = join(this.folder, `${name}.png`);
    await page.screenshot({ path });
    this.taken.push(path);
    return path;
  }
}

function quickInputField(page: Page): Locator {
  return page.locator(`${QUICK_INPUT} .quick-input-box input`);
}

/** The quick input's row whose label starts with `label`. */
export function quickPickRow(page: Page, label: string | RegExp): Locator {
  return page
    .locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`)
    .filter({ hasText: label })
    .first();
}

/** Opens the palette (F1) on the workbench, not inside a webview that may hold the focus. */
async function openPalette(page: Page): Promise<Locator> {
  const input = quickInputField(page);
  if (!(await input.isVisible())) {
    await page.locator('.monaco-workbench').press('F1');
  }
  await input.waitFor({ state: 'visible' });
  return input;
}

/** F1, type the command's title, choose it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = await openPalette(page);
  await input.fill(`>${title}`);
  // Choose the row whose label is exactly the title, not a longer command that contains it.
  const row = page
    .locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escape(title)}$`) }) })
    .first();
  await row.click();
}

/** Quick open (the palette without ">") on a workspace file. */
export async function openFile(page: Page, fileName: string): Promise<void> {
  const input = await openPalette(page);
  await input.fill(fileName);
  await quickPickRow(page, fileName).click();
  await page
    .locator('.tabs-container .tab.active')
    .filter({ hasText: fileName })
    .waitFor({ state: 'visible' });
}

/** A visible notification toast whose message matches. */
export function notification(page: Page, message: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast').filter({ hasText: message });
}

/**
 * Waits until VS Code has told the user `message`: as a toast, or in the notification center.
 * VS Code shows a few toasts at a time and may file a new one straight into the center while
 * others hold the screen, so after a while the center is opened to look there, then closed.
 */
export async function waitForNotification(
  page: Page,
  message: string | RegExp,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  try {
    await notification(page, message).waitFor({ timeout: Math.min(20_000, timeoutMs) });
    return;
  } catch {
    // Not as a toast (yet): look in the center for the rest of the time.
  }
  await runCommand(page, 'Notifications: Show Notifications');
  try {
    await page
      .locator('.notifications-center .notification-list-item')
      .filter({ hasText: message })
      .waitFor({ timeout: Math.max(1000, deadline - Date.now()) });
  } finally {
    await runCommand(page, 'Notifications: Hide Notifications').catch(() => undefined);
  }
}

/** A status bar entry whose text matches. */
export function statusBarItem(page: Page, text: string | RegExp): Locator {
  return page.locator('.statusbar .statusbar-item').filter({ hasText: text });
}

/** The Problems panel's marker rows whose text matches. */
export function problemRow(page: Page, text: string | RegExp): Locator {
  return page.locator('.markers-panel .monaco-list-row').filter({ hasText: text });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The frame of the webview panel that holds `selector`. Webviews in code-server are nested
 * iframes (the host `iframe.webview`, then the content frame inside it) and playwright cannot
 * wait for an element across unknown frames, so this checks the frames the page has now, then
 * again each time a frame navigates, until one holds the element or the time is up.
 */
export async function webviewFrame(
  page: Page,
  selector: string,
  timeoutMs: number,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      const found = await frame
        .locator(selector)
        .count()
        .catch(() => 0);
      if (found > 0) return frame;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no webview shows ${selector} within ${timeoutMs / 1000} s`);
    // The next frame event (navigation or load), or a recheck after a short interval for a
    // frame whose script renders after load.
    await Promise.race([
      page.waitForEvent('framenavigated', { timeout: Math.min(left, 1000) }).catch(() => null),
      page.waitForEvent('load', { timeout: Math.min(left, 1000) }).catch(() => null),
    ]);
  }
}

/** The text of `selector` in `frame` once it has one. */
export async function textOf(frame: Frame, selector: string, timeoutMs = 30_000): Promise<string> {
  const el = frame.locator(selector).first();
  await el.waitFor({ state: 'attached', timeout: timeoutMs });
  return (await el.textContent())?.trim() ?? '';
}

/** Clears the notification toasts so a screenshot shows the panel behind them. */
export async function clearToasts(page: Page): Promise<void> {
  if ((await page.locator('.notifications-toasts .notification-toast').count()) === 0) return;
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast').first().waitFor({
    state: 'detached',
  });
}
