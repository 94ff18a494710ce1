/**
 * `node bench/lib/profile-summary.ts <file.cpuprofile>`: the functions with the most self time in a V8 CPU
 * profile, grouped by function and file, so a benchmark's hot spots can be read without DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const frame = byId.get(id)?.callFrame;
  const where = frame === undefined ? '?' : frame.url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/');
  const key = frame === undefined ? '?' : `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  const group = where.startsWith('node_modules/')
    ? where.split('/').slice(0, 2).join('/')
    : where || frame?.functionName || '?';
  byFile.set(group, (byFile.get(group) ?? 0) + delta);
  total += delta;
});
const print = (title: string, entries: Map<string, number>): void => {
  process.stdout.write(`\n${title} (total ${(total / 1e6).toFixed(2)} s)\n`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
  }
};
print('self time by function', selfMicros);
print('self time by file or package', byFile);
