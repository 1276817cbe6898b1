/** Number, money, size and duration formatting shared by the panels (en-US, no DOM). */

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

const DASH = '—';

/** `$1,234.56`; a dash for a missing amount. */
export function formatMoney(amount: number | null | undefined): string {
  return amount === null || amount === undefined || !Number.isFinite(amount)
    ? DASH
    : usd.format(amount);
}

/** `$7.00/h`. */
export function formatHourlyRate(rate: number | null | undefined): string {
  const money = formatMoney(rate);
  return money === DASH ? DASH : `${money}/h`;
}

export function formatInteger(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : integer.format(n);
}

/** `1.2M`, `35K`, `980`. */
export function formatCompact(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? DASH : compact.format(n);
}

/** A duration given in hours: `< 1 min`, `45 min`, `2 h 05 min`, `3 d 4 h`. */
export function formatHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined || !Number.isFinite(hours) || hours < 0) return DASH;
  const minutes = Math.round(hours * 60);
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h < 24) return `${h} h ${String(m).padStart(2, '0')} min`;
  const d = Math.floor(h / 24);
  return `${d} d ${h % 24} h`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? DASH : formatHours(seconds / 3600);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Binary multiples with the customary short names: `1.5 MB` is 1.5 × 1024² bytes. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** Learning rates read best in scientific notation: `2e-4`, `1.5e-5`. */
export function formatLearningRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return DASH;
  if (rate === 0) return '0';
  const [mantissa, exponent] = rate.toExponential(3).split('e');
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/** Losses: four significant digits. */
export function formatLoss(loss: number | null | undefined): string {
  if (loss === null || loss === undefined || !Number.isFinite(loss)) return DASH;
  return loss.toPrecision(4);
}

export function formatPercent(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${value.toFixed(digits)}%`;
}

/** A signed change, `+12%` / `−8%`. */
export function formatChange(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return DASH;
  const rounded = Math.round(percent);
  if (rounded === 0) return '±0%';
  return rounded > 0 ? `+${rounded}%` : `−${Math.abs(rounded)}%`;
}

/** `2026-11-26 14:05` in UTC: the panels show the same time the API stores. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `Nov 2026` for a `YYYY-MM-DD` billing period. */
export function formatPeriod(period: string): string {
  const d = new Date(`${period.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return period;
  return d.toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}
