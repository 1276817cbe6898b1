import assert from 'node:assert/strict';
import {
  buildCsp,
  createNonce,
  escapeHtml,
  renderPanelHtml,
} from '../../../client/src/panels/csp.ts';

const source = 'https://file+.vscode-resource.vscode-cdn.net';

describe('panel CSP and HTML', () => {
  it('makes a fresh 128-bit nonce per load', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    assert.equal(nonces.size, 100);
    for (const n of nonces) assert.equal(Buffer.from(n, 'base64').length, 16);
  });

  it('allows only the nonce’d script and styles and images from the webview source', () => {
    assert.equal(
      buildCsp(source, 'abc'),
      `default-src 'none'; script-src 'nonce-abc'; style-src ${source} 'nonce-abc'; ` +
        `img-src ${source} data:; font-src ${source}`,
    );
    assert.doesNotMatch(buildCsp(source, 'abc'), /unsafe-inline|unsafe-eval|\*/);
  });

  it('renders a page whose only script carries the nonce and whose meta carries the CSP', () => {
    const html = renderPanelHtml({
      cspSource: source,
      nonce: 'N0nce+/=',
      title: 'Monitor: <img src=x onerror=alert(1)>',
      scriptUri: `${source}/dist/webview/monitor.js`,
      styleUri: `${source}/dist/webview/monitor.css`,
    });
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], /nonce="N0nce\+\/="/);
    assert.match(
      scripts[0],
      /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/dist\/webview\/monitor\.js"/,
    );
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-N0nce\+\/=&#39;/,
    );
    assert.match(html, /<link rel="stylesheet" href="[^"]+monitor\.css">/);
    // The toolkit reads the nonce from here for its :focus-visible probe style.
    assert.match(html, /<meta property="csp-nonce" content="N0nce\+\/=">/);
    assert.ok(!html.includes('<img'), 'the title is escaped');
    assert.match(html, /<title>Monitor: &lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
  });

  it('escapes every HTML-special character', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
