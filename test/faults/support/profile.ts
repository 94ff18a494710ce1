// How heavy a run is. FAULTS_PROFILE=full is the suite as RELIABILITY.md describes it (on demand);
// anything else is the CI subset: the same scenarios and assertions with fewer events, rounds and seconds.
export type FaultsProfile = 'ci' | 'full';

export const PROFILE: FaultsProfile = process.env['FAULTS_PROFILE'] === 'full' ? 'full' : 'ci';

export function byProfile<T>(values: Readonly<Record<FaultsProfile, T>>): T {
  return values[PROFILE];
}
