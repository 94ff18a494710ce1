import { describe, expect, it } from 'vitest';
import { isStale, parseFreshnessWindows } from './freshness.ts';

describe('freshness windows', () => {
  it('parses per-metric windows in ms, s, m, h and d', () => {
    const windows = parseFreshnessWindows('Reset Password=1h, Shipping Update=2d,Created Account=90s,New Lead=1.5m');
    expect(Object.fromEntries(windows)).toEqual({
      'Reset Password': 3_600_000,
      'Shipping Update': 172_800_000,
      'Created Account': 90_000,
      'New Lead': 90_000,
    });
    expect(parseFreshnessWindows('').size).toBe(0);
  });

  it.each([
    ['Reset password=1h', /"Reset password=1h": expected "<metric>=<duration>"/],
    ['Reset Password', /expected "<metric>=<duration>"/],
    ['Reset Password=1w', /duration must be positive/],
    ['Reset Password=0h', /duration must be positive/],
    ['Reset Password=1h,Reset Password=2h', /more than one window/],
  ])('rejects %j with CONFIG_INVALID naming the variable', (text, message) => {
    expect(() => parseFreshnessWindows(text)).toThrow(message);
    expect(() => parseFreshnessWindows(text)).toThrow(/^RELAY_FRESHNESS_WINDOWS: /);
  });

  it('marks an event stale only when older than its metric window', () => {
    const windows = parseFreshnessWindows('Reset Password=1h');
    expect(isStale('Reset Password', 0, 3_600_000, windows)).toBe(false);
    expect(isStale('Reset Password', 0, 3_600_001, windows)).toBe(true);
    expect(isStale('Placed Order', 0, 10 * 365 * 86_400_000, windows)).toBe(false);
  });
});
