import { describe, expect, it } from 'vitest';
import { currencyExponent, toMajorUnits } from './money.ts';

describe('money', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    // ICU shows IQD with 0 digits; ISO 4217 (and the producer's minor units) say 3.
    ['IQD', 3],
    ['CLF', 4],
  ])('%s has exponent %i', (currency, exponent) => {
    expect(currencyExponent(currency)).toBe(exponent);
  });

  it.each(['XAU', 'XXX', 'ABC', 'usd', ''])('%j is not money', (currency) => {
    expect(currencyExponent(currency)).toBeUndefined();
    expect(() => toMajorUnits(100, currency, 'totalMinor')).toThrow(/totalMinor: .* is not an ISO 4217 currency/);
  });

  it('converts minor to major units by the exponent', () => {
    expect(toMajorUnits(999, 'USD', 'x')).toEqual({ value: 9.99, currency: 'USD' });
    expect(toMajorUnits(999, 'JPY', 'x').value).toBe(999);
    expect(toMajorUnits(1999, 'KWD', 'x').value).toBe(1.999);
    expect(toMajorUnits(0, 'USD', 'x').value).toBe(0);
  });

  it('refuses amounts that are not safe integers instead of sending a wrong value', () => {
    expect(() => toMajorUnits(2 ** 53, 'USD', 'totalMinor')).toThrow(/safe integer/);
    expect(() => toMajorUnits(1.5, 'USD', 'totalMinor')).toThrow(/safe integer/);
  });
});
