/**
 * Money arrives in minor units (an Avro long) with an ISO 4217 code; Klaviyo's `value` is in major units.
 * The exponent is ISO 4217's, from a table rather than Intl: CLDR (behind Intl.NumberFormat) rounds some
 * currencies for display (IQD shows 0 digits, ISO 4217 says 3), and a wrong exponent is a 1000× error.
 */
import { currencyExponent } from '../domain/currency.ts';
import { RelayError } from '../errors.ts';

export { currencyExponent };

export interface MajorUnits {
  readonly value: number;
  readonly currency: string;
}

/**
 * Minor units → major units (1999 USD → 19.99, 1999 JPY → 1999, 1999 KWD → 1.999). Division by a power of
 * ten of an integer below 2^53 gives the nearest double to the decimal, which JSON prints as that decimal.
 */
export function toMajorUnits(minorUnits: number, currency: string, field: string): MajorUnits {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    throw new RelayError('PROJECTION_FAILED', `${field}: ${JSON.stringify(currency)} is not an ISO 4217 currency`, {
      detail: { path: field, currency },
    });
  }
  if (!Number.isSafeInteger(minorUnits)) {
    throw new RelayError('PROJECTION_FAILED', `${field}: minor units must be a safe integer, got ${minorUnits}`, {
      detail: { path: field },
    });
  }
  return { value: minorUnits / 10 ** exponent, currency };
}
