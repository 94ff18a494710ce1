/**
 * Money arrives in minor units (an Avro long) with an ISO 4217 code; Klaviyo's `value` is in major units.
 * The exponent is ISO 4217's, from a table rather than Intl: CLDR (behind Intl.NumberFormat) rounds some
 * currencies for display (IQD shows 0 digits, ISO 4217 says 3), and a wrong exponent is a 1000× error.
 */
import { RelayError } from '../errors.ts';

/** ISO 4217 currencies whose minor unit is not 2 (list amendment 177, 2024). Every other code uses 2. */
const NON_DEFAULT_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Codes ISO 4217 lists with no minor unit at all (metals, SDR, testing): not money Klaviyo can total. */
const NOT_MONEY = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

/** Current currency codes as the runtime's ICU knows them, plus table entries ICU may lag behind on. */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set([
  ...Intl.supportedValuesOf('currency'),
  ...Object.keys(NON_DEFAULT_EXPONENTS),
]);

/** The ISO 4217 exponent of a currency, or undefined when the code is not a current currency. */
export function currencyExponent(currency: string): number | undefined {
  if (NOT_MONEY.has(currency) || !KNOWN_CURRENCIES.has(currency)) return undefined;
  return NON_DEFAULT_EXPONENTS[currency] ?? 2;
}

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
