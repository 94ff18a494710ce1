import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCatalogue } from './catalogue.ts';
import { CATALOGUE_HEADER } from './render.ts';

const schemasDir = new URL('../../../schemas/', import.meta.url).pathname;
const cataloguePath = new URL('../../../docs/events.md', import.meta.url);

describe('event catalogue', () => {
  it('docs/events.md matches the schemas (run `klaviyo-relay schemas docs` when this fails)', async () => {
    const built = await buildCatalogue(schemasDir);
    if (!built.ok) throw new Error(built.problems.join('\n'));
    expect(readFileSync(cataloguePath, 'utf8')).toBe(built.markdown);
  });

  it('lists every event with its subject, Klaviyo outputs, nested fields and example', async () => {
    const built = await buildCatalogue(schemasDir);
    if (!built.ok) throw new Error(built.problems.join('\n'));
    expect(built.markdown.startsWith(CATALOGUE_HEADER)).toBe(true);
    expect(built.markdown).toContain('- Subject: `commerce.order.events-com.klaviyorelay.commerce.OrderPlaced`');
    expect(built.markdown).toContain('| Ordered Product | `orderId:lineItemId` | one per line item |');
    expect(built.markdown).toMatch(/\| `lineItems\[\]\.unitPriceMinor` \| `long` \|/);
    expect(built.markdown).toContain('"sku": "WINNIEPOOH"');
  });
});
