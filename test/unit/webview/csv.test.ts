import assert from 'node:assert/strict';
import { CSV_COLUMNS, csvCell, csvFileName, metricsToCsv } from '../../../webview/src/chart/csv.ts';
import { point } from './fixtures.ts';

describe('CSV export', () => {
  it('writes a header and one row per point with every column', () => {
    const csv = metricsToCsv([
      point(1, 2.5, { validation_loss: 2.7, gradient_norm: 0.4 }),
      point(2, 2.25),
    ]);
    const lines = csv.split('\r\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines[1], '1,0.01,2.5,2.7,0.0002,0.4,,,2026-11-01T00:00:00Z');
    assert.equal(lines[2], '2,0.02,2.25,,0.0002,,,,2026-11-01T00:00:00Z');
    assert.equal(lines[3], '');
  });

  it('keeps every point of a long series (export is not decimated)', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => point(i, 3 - i / 10_000));
    assert.equal(metricsToCsv(points).split('\r\n').length, 10_002);
  });

  it('quotes cells with commas, quotes and line breaks', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('x\ny'), '"x\ny"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(Number.NaN), '');
  });

  it('names the file after the job, safely', () => {
    assert.equal(csvFileName('my run: v2/final', 'abcdef12-3456'), 'my-run-v2-final-metrics.csv');
    assert.equal(csvFileName(null, 'abcdef12-3456'), 'job-abcdef12-metrics.csv');
  });
});
