import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { given, withData } from '../../testing/spec.ts';

const example = loadExample('AccountUpdated');

describe('Updated Account', () => {
  it("carries the guide's UpdateType, UpdatedProperties, OldValues and NewValues", () => {
    const request = given(example).thenEvent();
    expect(request.metric).toBe('Updated Account');
    expect(request.body.data.attributes.properties).toEqual({
      UpdateType: 'Property Update',
      UpdatedProperties: ['Favorite colors', 'Birthday'],
      OldValues: { FavoriteColors: ['green', 'yellow'], Birthday: '' },
      NewValues: { FavoriteColors: ['green', 'yellow', 'black'], Birthday: '1989-01-18 00:00:00' },
    });
  });

  it('sets the new values as custom profile properties', () => {
    const profile = given(example).thenEvent().body.data.attributes.profile.data.attributes;
    expect(profile.properties).toEqual({
      FavoriteColors: ['green', 'yellow', 'black'],
      Birthday: '1989-01-18 00:00:00',
    });
  });

  it('names a property by its key when it has no label, and keeps a removed value as null', () => {
    const event = withData(example, {
      changes: [{ property: 'Nickname', label: null, oldValue: 'Johnny', newValue: null }],
    });
    const properties = given(event).thenEvent().body.data.attributes.properties;
    expect(properties.UpdatedProperties).toEqual(['Nickname']);
    expect(properties.OldValues).toEqual({ Nickname: 'Johnny' });
    expect(properties.NewValues).toEqual({ Nickname: null });
  });

  it('records every update: unique_id is the eventId', () => {
    const again = withData(example, { eventId: '7f3c2a10-5b6d-4e8f-9a1b-0000000000aa' });
    expect(given(example).thenEvent().uniqueId).toBe(example.data.eventId);
    expect(given(again).thenEvent().uniqueId).toBe('7f3c2a10-5b6d-4e8f-9a1b-0000000000aa');
  });
});
