/**
 * ISO 4217 minor units: a fact about the domain's money (an amount in minor units plus its currency), used
 * by the event validator (is this a currency?) and by the projection (Klaviyo's `value` in major units).
 */
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
