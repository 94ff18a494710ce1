import { describe, expect, it } from 'vitest';
import { createFaults, parseFaultSpec } from './faults.ts';

describe('sandbox faults', () => {
  it('a rule with bodyContains affects only the requests whose body has that text', () => {
    const faults = createFaults(() => 0);
    faults.add({ effect: { kind: 'status', status: 500 }, bodyContains: '"unique_id":"stuck-1"' }, 0);
    expect(faults.select('events', 1, '{"unique_id":"other"}')).toEqual([]);
    expect(faults.select('events', 1, '{"unique_id":"stuck-1"}')).toEqual([{ kind: 'status', status: 500 }]);
    expect(faults.select('events', 2, '{"unique_id":"stuck-1"}')).toHaveLength(1); // for ever, unless counted
  });

  it('reads bodyContains from the admin API and refuses an empty one', () => {
    expect(parseFaultSpec({ status: 500, bodyContains: 'x' })).toMatchObject({ bodyContains: 'x' });
    expect(parseFaultSpec({ status: 500, bodyContains: '' })).toBe('bodyContains must be a non-empty string');
  });
});
