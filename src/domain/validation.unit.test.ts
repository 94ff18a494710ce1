import { describe, expect, it } from 'vitest';
import type { DomainEvent, DomainEventOf, EventData } from './events.ts';
import { DOMAIN_EVENT_TYPES } from './events.ts';
import { loadExample } from './examples.ts';
import { createEventValidator, resetLinkProblem } from './validation.ts';

const NOW = Date.UTC(2024, 0, 1);
const validator = createEventValidator({ resetLinkHosts: ['www.website.com', 'good.example'], now: () => NOW });

type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/** The example of `type` with `change` applied to a deep copy of its data. */
function given<T extends DomainEvent['type']>(type: T, change: (data: DeepMutable<EventData<T>>) => void): DomainEvent {
  const event = structuredClone(loadExample(type)) as DomainEventOf<T>;
  change(event.data as DeepMutable<EventData<T>>);
  return event;
}

function failurePath(event: DomainEvent): string | undefined {
  const result = validator.validate(event);
  if (result.ok) return undefined;
  expect(result.error.code).toBe('VALIDATION_FAILED');
  expect(result.error.stage).toBe('validate');
  return String(result.error.detail.path);
}

describe('validation of decoded events', () => {
  it.each(DOMAIN_EVENT_TYPES)('accepts the %s example', (type) => {
    const result = validator.validate(loadExample(type));
    expect(result.ok ? 'valid' : result.error.message).toBe('valid');
  });

  it('rejects a malformed email, naming the field', () => {
    expect(failurePath(given('AccountCreated', (d) => (d.customer.email = 'john.smith@')))).toBe('customer.email');
    expect(failurePath(given('EmailChanged', (d) => (d.newEmail = 'not an email')))).toBe('newEmail');
  });

  it('requires customer.email of an EmailChanged to be the new email', () => {
    expect(failurePath(given('EmailChanged', (d) => (d.customer.email = 'other@example.com')))).toBe('customer.email');
  });

  it.each(['5551234567', '+05551234567', '+1 555 123 4567', '+1555123456789012'])(
    'rejects phone %s (not E.164)',
    (phone) => {
      expect(failurePath(given('AccountCreated', (d) => (d.customer.phone = phone)))).toBe('customer.phone');
    },
  );

  it.each(['usd', 'XXX', 'ABC', 'US'])('rejects currency %s', (code) => {
    expect(failurePath(given('OrderPlaced', (d) => (d.currency = code)))).toBe('currency');
  });

  it.each(['JPY', 'BHD', 'EUR'])('accepts currency %s', (code) => {
    expect(failurePath(given('OrderPlaced', (d) => (d.currency = code)))).toBeUndefined();
  });

  it('rejects negative amounts and quantities', () => {
    expect(failurePath(given('OrderPlaced', (d) => (d.totalMinor = -1)))).toBe('totalMinor');
    expect(failurePath(given('OrderPlaced', (d) => (d.lineItems[0]!.quantity = -2)))).toBe('lineItems.0.quantity');
    expect(failurePath(given('OrderPlaced', (d) => (d.lineItems[0]!.unitPriceMinor = -999)))).toBe(
      'lineItems.0.unitPriceMinor',
    );
    expect(failurePath(given('OrderPlaced', (d) => (d.discount!.valueMinor = -5)))).toBe('discount.valueMinor');
  });

  it('rejects fractional minor units', () => {
    expect(failurePath(given('OrderPlaced', (d) => (d.totalMinor = 9.99)))).toBe('totalMinor');
  });

  it('accepts occurredAt from 2000 to one year ahead, and nothing outside', () => {
    const year = 365 * 24 * 60 * 60 * 1000;
    expect(failurePath(given('AccountCreated', (d) => (d.occurredAt = Date.UTC(1999, 11, 31))))).toBe('occurredAt');
    expect(failurePath(given('AccountCreated', (d) => (d.occurredAt = Date.UTC(2000, 0, 1))))).toBeUndefined();
    expect(failurePath(given('AccountCreated', (d) => (d.occurredAt = NOW + year)))).toBeUndefined();
    expect(failurePath(given('AccountCreated', (d) => (d.occurredAt = NOW + year + 1)))).toBe('occurredAt');
  });

  it('rejects an eventId that is not a UUID', () => {
    expect(failurePath(given('AccountCreated', (d) => (d.eventId = '1234')))).toBe('eventId');
  });

  it("rejects strings over Klaviyo's 100 KB limit, counted in UTF-8 bytes", () => {
    const ascii = 'a'.repeat(100 * 1024);
    expect(failurePath(given('OrderPlaced', (d) => (d.lineItems[0]!.name = ascii)))).toBeUndefined();
    expect(failurePath(given('OrderPlaced', (d) => (d.lineItems[0]!.name = `${ascii}a`)))).toBe('lineItems.0.name');
    // 40,000 characters but 120,000 bytes: too large although short in characters.
    expect(failurePath(given('OrderPlaced', (d) => (d.lineItems[0]!.name = '€'.repeat(40_000))))).toBe(
      'lineItems.0.name',
    );
  });

  it('rejects a lowercase or three-letter country code on addresses and leads', () => {
    expect(failurePath(given('OrderPlaced', (d) => (d.billingAddress!.countryCode = 'USA')))).toBe(
      'billingAddress.countryCode',
    );
    expect(failurePath(given('LeadCaptured', (d) => (d.countryCode = 'us')))).toBe('countryCode');
  });

  it('never puts the rejected value in the error (it can be a reset link or personal data)', () => {
    const result = validator.validate(
      given('PasswordResetRequested', (d) => (d.resetLink = 'http://www.website.com/reset/secret-token')),
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(JSON.stringify({ m: result.error.message, d: result.error.detail })).not.toContain('secret-token');
  });
});

describe('reset links', () => {
  const hosts = new Set(['good.example', 'www.website.com']);

  it.each([
    ['https://good.example/reset/abc', undefined],
    ['https://GOOD.example/reset/abc', undefined],
    ['http://good.example/reset/abc', 'must be an https URL'],
    ['javascript:alert(1)', 'must be an https URL'],
    ['https://evil.example\\@good.example/reset', 'must point at a host listed in RELAY_RESET_LINK_HOSTS'],
    ['https://good.example@evil.example/reset', 'must not carry credentials'],
    ['https://good.example.evil.example/reset', 'must point at a host listed in RELAY_RESET_LINK_HOSTS'],
    ['https://evilgood.example/reset', 'must point at a host listed in RELAY_RESET_LINK_HOSTS'],
    ['https://good.example:8443/reset', 'must point at a host listed in RELAY_RESET_LINK_HOSTS'],
    ['https://good.example./reset', 'must point at a host listed in RELAY_RESET_LINK_HOSTS'],
    ['//good.example/reset', 'must be an absolute URL'],
    ['', 'must be an absolute URL'],
  ])('%s → %s', (link, problem) => {
    expect(resetLinkProblem(link, hosts)).toBe(problem);
  });

  it('rejects every link when no hosts are configured', () => {
    expect(resetLinkProblem('https://good.example/reset', new Set())).toMatch(/no reset-link hosts are configured/);
  });

  it('reports a bad link on the event under resetLink', () => {
    expect(failurePath(given('PasswordResetRequested', (d) => (d.resetLink = 'https://evil.example/reset/1')))).toBe(
      'resetLink',
    );
  });
});
