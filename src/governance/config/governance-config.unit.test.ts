import { describe, expect, it } from 'vitest';
import { levelFor, parseGovernanceConfig } from './governance-config.ts';

describe('compatibility.json', () => {
  it('defaults to FULL_TRANSITIVE without a file', () => {
    const result = parseGovernanceConfig(undefined);
    expect(result.ok && levelFor(result.config, 'any-subject')).toBe('FULL_TRANSITIVE');
  });

  it('applies per-subject levels over the default', () => {
    const result = parseGovernanceConfig(JSON.stringify({ default: 'FULL', subjects: { a: 'BACKWARD' } }));
    if (!result.ok) throw new Error(result.message);
    expect(levelFor(result.config, 'a')).toBe('BACKWARD');
    expect(levelFor(result.config, 'b')).toBe('FULL');
  });

  it('names the bad entry instead of throwing', () => {
    const bad = parseGovernanceConfig(JSON.stringify({ subjects: { a: 'SOMETIMES' }, extra: 1 }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/subjects\.a.*|extra/);
    expect(parseGovernanceConfig('{').ok).toBe(false);
  });
});
