/**
 * Builds, from git history, the earlier versions of every event subject (see git-schemas.ts for the
 * meaning of "version" here). Pure over a GitSource.
 *
 * A subject may have a baseline in compatibility.json (`"baselines": {"<subject>": "<commit>"}`): its
 * versions then start with the schema as it was at that commit, and older history is forgotten. That is
 * the git counterpart of deleting old versions from a registry, for the rare deliberate break (made with
 * `apply --allow-breaking`) that would otherwise fail every TRANSITIVE check after it, forever.
 */
import { RelayError } from '../../errors.ts';
import type { EarlierVersion } from '../compat/check.ts';
import type { GovernanceConfig } from '../config/governance-config.ts';
import { toEventSchemas } from './event-schemas.ts';
import type { GitSource } from './git-schemas.ts';

interface Entry {
  readonly text: string;
  readonly version: EarlierVersion;
}

export async function earlierVersionsFromGit(
  git: GitSource,
  commit: string,
  config: GovernanceConfig,
): Promise<Map<string, EarlierVersion[]>> {
  const bySubject = new Map<string, Entry[]>();
  const add = (subject: string, text: string, label: string, version: EarlierVersion['schema']) => {
    const versions = bySubject.get(subject) ?? [];
    if (versions[versions.length - 1]?.text !== text) versions.push({ text, version: { label, schema: version } });
    bySubject.set(subject, versions);
  };

  const baselines = new Map<string, string>();
  for (const [subject, ref] of Object.entries(config.baselines)) {
    const id = await git.resolve(ref);
    if (id === undefined) {
      throw new RelayError('CONFIG_INVALID', `baseline ${ref} of ${subject} in compatibility.json is not a commit`);
    }
    baselines.set(subject, id);
    const atBaseline = toEventSchemas(await git.filesAt(id), config).events.find((event) => event.subject === subject);
    if (atBaseline !== undefined) add(subject, atBaseline.text, `${id.slice(0, 7)} (baseline)`, atBaseline.schema);
  }

  for (const id of await git.history(commit)) {
    const { events } = toEventSchemas(await git.filesAt(id), config);
    for (const event of events) {
      const baseline = baselines.get(event.subject);
      // The baseline itself and everything before it are already summed up by the baseline version.
      if (baseline !== undefined && (await git.isAncestor(id, baseline))) continue;
      add(event.subject, event.text, `${id.slice(0, 7)} (git)`, event.schema);
    }
  }
  return new Map([...bySubject].map(([subject, versions]) => [subject, versions.map((entry) => entry.version)]));
}
