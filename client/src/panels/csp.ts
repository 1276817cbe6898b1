/**
 * The HTML shell of every panel: a strict Content Security Policy with a fresh nonce per load,
 * the panel's script and stylesheet from the built webview folder, and nothing else. Pure (no
 * `vscode` import) so it is unit-tested in Node.
 */
import { randomBytes } from 'node:crypto';

/** 128 random bits, base64: a new one for every HTML load. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface PanelHtml {
  cspSource: string;
  nonce: string;
  title: string;
  scriptUri: string;
  styleUri: string;
}

/**
 * The page. `csp-nonce` is where the toolkit (FAST) finds the nonce for the one probe `<style>`
 * it inserts to detect `:focus-visible`. The app builds its DOM itself from validated messages (no HTML from data); the
 * body only holds the mount point and a fallback for a script that failed to load.
 */
export function renderPanelHtml(p: PanelHtml): string {
  const nonce = escapeHtml(p.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(buildCsp(p.cspSource, p.nonce))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">Loading…</p></main>
<script nonce="${nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>`;
}
