import assert from 'node:assert/strict';
import { LiveDecimator, decimateMinMax, type XY } from '../../../webview/src/chart/decimate.ts';

/** A noisy falling loss curve with one spike and one dip at known steps. */
function curve(n: number): XY[] {
  return Array.from({ length: n }, (_, i) => {
    let y = 3 * Math.exp(-i / (n / 4)) + 0.1 * Math.sin(i * 1.7) + 0.5;
    if (i === Math.floor(n * 0.37)) y = 9; // spike
    if (i === Math.floor(n * 0.81)) y = 0.01; // dip
    return { x: i, y };
  });
}

function assertSorted(points: readonly XY[]) {
  for (let i = 1; i < points.length; i++)
    assert.ok(points[i].x > points[i - 1].x, `x order at ${i}`);
}

describe('decimateMinMax', () => {
  it('returns a series at or under the limit unchanged', () => {
    const pts = curve(500);
    assert.equal(decimateMinMax(pts, 1000), pts);
  });

  it('draws 10,000 points as at most 1,000, keeping first, last and the extremes', () => {
    const pts = curve(10_000);
    const out = decimateMinMax(pts, 1000);
    assert.ok(out.length <= 1000 && out.length >= 900, `drew ${out.length}`);
    assert.equal(out[0], pts[0]);
    assert.equal(out[out.length - 1], pts[pts.length - 1]);
    assert.ok(
      out.some((p) => p.y === 9),
      'spike kept',
    );
    assert.ok(
      out.some((p) => p.y === 0.01),
      'dip kept',
    );
    assertSorted(out);
    // Only original points are drawn (no interpolated values).
    for (const p of out) assert.equal(pts[p.x], p);
  });
});

describe('LiveDecimator', () => {
  it('keeps the drawn series under the limit while 10,000 points arrive in chunks', () => {
    const pts = curve(10_000);
    const d = new LiveDecimator<XY>(1000);
    let drawn: XY[] = [];
    for (let i = 0; i < pts.length; i += 37) {
      const change = d.push(pts.slice(i, i + 37));
      // Applying the reported splice to the previous drawing gives the new drawing.
      drawn.splice(drawn.length - change.removeFromEnd, change.removeFromEnd, ...change.append);
      assert.deepEqual(drawn, d.drawn());
      assert.ok(drawn.length <= 1000, `drew ${drawn.length}`);
      assert.equal(
        drawn[drawn.length - 1],
        pts[Math.min(i + 36, pts.length - 1)],
        'last point kept',
      );
    }
    drawn = d.drawn();
    assert.ok(drawn.length >= 400, `drew ${drawn.length}`);
    assert.equal(drawn[0], pts[0]);
    assert.ok(
      drawn.some((p) => p.y === 9),
      'spike kept',
    );
    assert.ok(
      drawn.some((p) => p.y === 0.01),
      'dip kept',
    );
    assertSorted(drawn);
    assert.equal(d.points.length, 10_000, 'every point is kept for hover and export');
  });

  it('appends without touching settled buckets between rebuilds', () => {
    const d = new LiveDecimator<XY>(100);
    d.push(curve(60));
    const change = d.push([{ x: 60, y: 1 }]);
    assert.equal(change.rebuilt, false);
    assert.ok(change.removeFromEnd <= 3, `removed ${change.removeFromEnd}`);
  });

  it('draws short series point for point', () => {
    const d = new LiveDecimator<XY>(1000);
    const pts = curve(10);
    d.push(pts);
    assert.deepEqual(d.drawn(), pts);
  });
});
