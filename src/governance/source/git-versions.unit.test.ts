import { describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_CONFIG } from '../config/governance-config.ts';
import type { GitSource } from './git-schemas.ts';
import { earlierVersionsFromGit } from './git-versions.ts';
import type { SchemaFile } from './schema-file.ts';

const schema = (fields: object[]) =>
  JSON.stringify({ type: 'record', name: 'OrderPlaced', namespace: 'com.klaviyorelay.commerce', fields });

/** Commits as data: what the schema dir held at each one (this is the input, not a registry). */
function history(commits: Record<string, SchemaFile[]>): GitSource {
  return {
    resolve: (ref) => Promise.resolve(ref in commits ? ref : undefined),
    history: (commit) => {
      const ids = Object.keys(commits);
      return Promise.resolve(ids.slice(0, ids.indexOf(commit) + 1));
    },
    filesAt: (commit) => Promise.resolve(commits[commit] ?? []),
    mergeBase: () => Promise.resolve(undefined),
    isAncestor: (ancestor, descendant) => {
      const ids = Object.keys(commits);
      return Promise.resolve(ids.indexOf(ancestor) <= ids.indexOf(descendant));
    },
  };
}

describe('earlier versions from git history', () => {
  it('counts each distinct content once, oldest first, following a moved file by subject', async () => {
    const v1 = schema([{ name: 'a', type: 'string' }]);
    const v2 = schema([
      { name: 'a', type: 'string' },
      { name: 'b', type: ['null', 'string'], default: null },
    ]);
    const git = history({
      c1aaaaaaaa: [{ path: 'commerce/OrderPlaced.avsc', text: v1 }],
      c2bbbbbbbb: [{ path: 'commerce/OrderPlaced.avsc', text: v1 }],
      c3cccccccc: [{ path: 'orders/OrderPlaced.avsc', text: v2 }],
      c4dddddddd: [{ path: 'orders/OrderPlaced.avsc', text: v2 }],
    });
    const versions = await earlierVersionsFromGit(git, 'c4dddddddd', DEFAULT_GOVERNANCE_CONFIG);
    const subject = 'commerce.order.events-com.klaviyorelay.commerce.OrderPlaced';
    expect(versions.get(subject)?.map((version) => version.label)).toEqual(['c1aaaaa (git)', 'c3ccccc (git)']);
    const upToSecond = await earlierVersionsFromGit(git, 'c2bbbbbbbb', DEFAULT_GOVERNANCE_CONFIG);
    expect(upToSecond.get(subject)).toHaveLength(1);
  });

  it('starts a subject with a baseline at the baseline commit, forgetting older history', async () => {
    const v1 = schema([{ name: 'a', type: 'string' }]);
    const v2 = schema([{ name: 'a', type: 'long' }]);
    const v3 = schema([
      { name: 'a', type: 'long' },
      { name: 'b', type: ['null', 'string'], default: null },
    ]);
    const file = (text: string) => [{ path: 'commerce/OrderPlaced.avsc', text }];
    const git = history({ c1aaaaaaaa: file(v1), c2bbbbbbbb: file(v2), c3cccccccc: file(v3) });
    const subject = 'commerce.order.events-com.klaviyorelay.commerce.OrderPlaced';
    const config = { ...DEFAULT_GOVERNANCE_CONFIG, baselines: { [subject]: 'c2bbbbbbbb' } };
    const versions = await earlierVersionsFromGit(git, 'c3cccccccc', config);
    expect(versions.get(subject)?.map((version) => version.label)).toEqual(['c2bbbbb (baseline)', 'c3ccccc (git)']);
    await expect(
      earlierVersionsFromGit(git, 'c3cccccccc', { ...config, baselines: { [subject]: 'nope' } }),
    ).rejects.toThrow('baseline nope of');
  });
});
