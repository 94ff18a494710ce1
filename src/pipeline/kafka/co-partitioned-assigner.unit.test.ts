import { describe, expect, it } from 'vitest';
import { coPartitionedAssignment } from './co-partitioned-assigner.ts';

describe('co-partitioned assignment', () => {
  const topics = new Map([
    ['klaviyo.requests', [0, 1, 2, 3, 4]],
    ['klaviyo.requests.retry', [0, 1, 2, 3, 4]],
  ]);

  it('gives partition p of every topic to the same member', () => {
    const assignment = coPartitionedAssignment(['m-b', 'm-a'], topics);
    expect(Object.fromEntries(assignment)).toEqual({
      'm-a': { 'klaviyo.requests': [0, 2, 4], 'klaviyo.requests.retry': [0, 2, 4] },
      'm-b': { 'klaviyo.requests': [1, 3], 'klaviyo.requests.retry': [1, 3] },
    });
  });

  it('leaves a member without partitions when there are more members than partitions, and handles none', () => {
    const assignment = coPartitionedAssignment(['a', 'b', 'c'], new Map([['t', [0, 1]]]));
    expect(assignment.get('c')).toEqual({});
    expect(coPartitionedAssignment([], topics).size).toBe(0);
  });
});
