import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { parseFreshnessWindows } from '../../freshness.ts';
import { given, withData } from '../../testing/spec.ts';

const example = loadExample('PasswordResetRequested');
const HOUR = 3_600_000;

describe('Reset Password', () => {
  it('puts the link on the profile as PasswordResetLink, as the guide does', () => {
    const request = given(example).thenEvent();
    expect(request.metric).toBe('Reset Password');
    expect(request.body.data.attributes.profile.data.attributes.properties).toEqual({
      PasswordResetLink: 'https://www.website.com/reset/1234567890987654321',
    });
    expect(request.body.data.attributes.properties).toEqual({
      PasswordResetLinkExpiresAt: '2023-10-15T01:00:00+00:00',
    });
    expect(request.uniqueId).toBe(example.data.eventId);
  });

  it('is delivered in real time, as a flow trigger, while fresh', () => {
    const request = given(example)
      .when({ now: example.data.occurredAt + HOUR })
      .thenEvent();
    expect(request.body.data.attributes).not.toHaveProperty('backfill');
    expect(request.realtime).toBe(true);
  });

  it('is recorded without firing a flow (backfill) once older than its window, and may be batched', () => {
    const request = given(example)
      .when({ now: example.data.occurredAt + HOUR + 1 })
      .thenEvent();
    expect(request.body.data.attributes.backfill).toBe(true);
    expect(request.realtime).toBe(false);
  });

  it('follows the configured window rather than the default', () => {
    const freshness = parseFreshnessWindows('Reset Password=15m');
    const request = given(example)
      .when({ now: example.data.occurredAt + 16 * 60_000, freshness })
      .thenEvent();
    expect(request.body.data.attributes.backfill).toBe(true);
  });

  it('omits the expiry when the producer gives none', () => {
    const noExpiry = withData(example, { resetLinkExpiresAt: null });
    expect(given(noExpiry).thenEvent().body.data.attributes.properties).toEqual({});
  });
});
