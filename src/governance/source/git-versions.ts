/**
 * Builds, from git history, the earlier versions of every event subject (see git-schemas.ts for the
 * meaning of "version" here). Pure over a GitSource.
 */
import type { EarlierVersion } from '../compat/check.ts';
import type { GovernanceConfig } from '../config/governance-config.ts';
import { toEventSchemas } from './event-schemas.ts';
import type { GitSource } from './git-schemas.ts';

export async function earlierVersionsFromGit(
  git: GitSource,
  commit: string,
  config: GovernanceConfig,
): Promise<Map<string, EarlierVersion[]>> {
  const bySubject = new Map<string, { text: string; label: string; version: EarlierVersion }[]>();
  for (const id of await git.history(commit)) {
    const { events } = toEventSchemas(await git.filesAt(id), config);
    for (const event of events) {
      const versions = bySubject.get(event.subject) ?? [];
      if (versions[versions.length - 1]?.text !== event.text) {
        const label = `${id.slice(0, 7)} (git)`;
        versions.push({ text: event.text, label, version: { label, schema: event.schema } });
      }
      bySubject.set(event.subject, versions);
    }
  }
  return new Map([...bySubject].map(([subject, versions]) => [subject, versions.map((entry) => entry.version)]));
}
