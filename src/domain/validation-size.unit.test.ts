/**
 * The string-size walk reports the path of the first string over Klaviyo's 100 KB limit. It builds that
 * path only after a find (validation.ts); these cases pin the paths it reports for map values, map keys
 * (cut to 40 characters: a key is data too) and nested array items, and that it stays quiet at the limit.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from './events.ts';
import { loadExample } from './examples.ts';
import { createEventValidator } from './validation.ts';

const validator = createEventValidator({ resetLinkHosts: ['www.website.com'], now: () => Date.UTC(2024, 0, 1) });
const LIMIT = 100 * 1024;

function leadWithAttributes(attributes: Record<string, string>): DomainEvent {
  const lead = structuredClone(loadExample('LeadCaptured'));
  return { ...lead, data: { ...lead.data, attributes } };
}

function reportedPath(event: DomainEvent): unknown {
  const result = validator.validate(event);
  return result.ok ? undefined : result.error.detail.path;
}

describe('string-size walk', () => {
  it('names a map value by its key', () => {
    expect(reportedPath(leadWithAttributes({ notes: 'a'.repeat(LIMIT + 1) }))).toBe('attributes.notes');
  });

  it('names an oversized map key by its first 40 characters', () => {
    const key = 'k'.repeat(LIMIT + 1);
    expect(reportedPath(leadWithAttributes({ [key]: 'v' }))).toBe(`attributes.${'k'.repeat(40)}`);
  });

  it('accepts a map value exactly at the limit', () => {
    expect(reportedPath(leadWithAttributes({ notes: 'a'.repeat(LIMIT) }))).toBeUndefined();
  });

  it('names an item of a nested array by its index', () => {
    const order = structuredClone(loadExample('OrderPlaced'));
    const item = order.data.lineItems[0]!;
    const event: DomainEvent = {
      ...order,
      data: { ...order.data, lineItems: [item, { ...item, categories: ['Fiction', '€'.repeat(40_000)] }] },
    };
    expect(reportedPath(event)).toBe('lineItems.1.categories.1');
  });
});
