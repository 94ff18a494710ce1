import { describe, expect, it } from 'vitest';
import { createProjectionContext } from './context.ts';
import { exampleRoutingRules } from './testing/spec.ts';

describe('createProjectionContext', () => {
  it('validates the settings once and gives a context per instant', () => {
    const rules = exampleRoutingRules();
    const at = createProjectionContext(
      { relay: { profileIdentifiers: ['email'], freshnessWindows: 'Reset Password=1h' } },
      rules,
    );
    const ctx = at(1_700_000_000_000);
    expect(ctx.now).toBe(1_700_000_000_000);
    expect(ctx.identifiers).toEqual(['email']);
    expect(ctx.freshness.get('Reset Password')).toBe(3_600_000);
    expect(ctx.routing).toBe(rules);
  });

  it('refuses invalid freshness windows at creation, naming the variable', () => {
    expect(() =>
      createProjectionContext({ relay: { profileIdentifiers: ['email'], freshnessWindows: 'Reset=1h' } }, undefined),
    ).toThrow(/RELAY_FRESHNESS_WINDOWS/);
  });
});
