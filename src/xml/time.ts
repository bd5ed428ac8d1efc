/*
 * Beijing time (UTC+8, no daylight saving since 1991) computed from the instant alone, so the
 * host's time zone never leaks into a message.
 */

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

function parts(instant: Date): [string, string, string, string, string, string, string] {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError('invalid date');
  const d = new Date(t + BEIJING_OFFSET_MS);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return [
    String(d.getUTCFullYear()).padStart(4, '0'),
    p2(d.getUTCMonth() + 1),
    p2(d.getUTCDate()),
    p2(d.getUTCHours()),
    p2(d.getUTCMinutes()),
    p2(d.getUTCSeconds()),
    String(d.getUTCMilliseconds()).padStart(3, '0'),
  ];
}

/** `yyyyMMddHHmmss` in Beijing time (appTime, payTime, logisticsTime). */
export function beijingDateTime14(instant: Date): string {
  const [y, mo, d, h, mi, s] = parts(instant);
  return `${y}${mo}${d}${h}${mi}${s}`;
}

/** `yyyyMMdd` in Beijing time (declTime). */
export function beijingDate8(instant: Date): string {
  const [y, mo, d] = parts(instant);
  return `${y}${mo}${d}`;
}

/** `yyyy-MM-dd` in Beijing time: the calendar day policies, quota years and district settings go by. */
export function beijingIsoDate(instant: Date): string {
  const [y, mo, d] = parts(instant);
  return `${y}-${mo}-${d}`;
}

/** `yyyy-MM-ddTHH:mm:ss` in Beijing time (DxpMsg CreatTime). */
export function beijingXsDateTime(instant: Date): string {
  const [y, mo, d, h, mi, s] = parts(instant);
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

/** Milliseconds since the epoch of a Beijing-time `yyyyMMddHHmmss[SSS]` (receipt times), or NaN. */
export function beijingMillis(s: string | undefined): number {
  const m = s ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(s.trim()) : null;
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, se, ms] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se), Number(ms ?? 0));
  return t - BEIJING_OFFSET_MS;
}
