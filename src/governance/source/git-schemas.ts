/**
 * Schemas as they were in git, for `check --offline --against <ref>`: no registry needed. The versions
 * of an event are the distinct contents its schema had in the commits up to `<ref>` that touched the
 * schema directory, oldest first (consecutive identical contents count once). Grouping happens by
 * subject, not by path, so a moved file keeps its history. This is stricter than the registry (which
 * only holds what was registered), which is the right side to err on in a pull request.
 */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { RelayError } from '../../errors.ts';
import type { SchemaFile } from './schema-file.ts';

const run = promisify(execFile);

export interface GitSource {
  /** Resolves a ref to a commit id, or undefined when there is no such commit (e.g. HEAD~1 of a root). */
  resolve(ref: string): Promise<string | undefined>;
  /** Commits up to `commit` that touched the schema dir, oldest first. */
  history(commit: string): Promise<string[]>;
  /** The schema files in the schema dir at `commit`. */
  filesAt(commit: string): Promise<SchemaFile[]>;
  /** Merge base of HEAD and `ref`, if both exist and have one. */
  mergeBase(ref: string): Promise<string | undefined>;
  /** True when `ancestor` is `descendant` or one of its ancestors. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
}

/** A git source for the schema directory `dir` (inside a git work tree). */
export async function createGitSource(dir: string): Promise<GitSource> {
  // git answers real paths; a symlinked temp or home dir would otherwise yield a `../..` prefix.
  const absolute = await realpath(path.resolve(dir)).catch(() => path.resolve(dir));
  // Every command after this one runs at the top of the work tree, where pathspecs are `prefix`-relative.
  let cwd = absolute;
  const git = async (args: readonly string[]): Promise<string> => {
    const { stdout } = await run('git', ['-C', cwd, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  };
  let top: string;
  try {
    top = (await git(['rev-parse', '--show-toplevel'])).trim();
    cwd = top;
  } catch (error) {
    throw new RelayError('CONFIG_INVALID', `${dir} is not inside a git repository`, { cause: error });
  }
  const prefix = path.relative(top, absolute).split(path.sep).join('/');
  const pathspec = prefix === '' ? '.' : prefix;
  const tryGit = async (args: readonly string[]): Promise<string | undefined> => {
    try {
      return (await git(args)).trim();
    } catch {
      return undefined;
    }
  };
  return {
    async resolve(ref) {
      const id = await tryGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      return id === undefined || id === '' ? undefined : id;
    },
    async history(commit) {
      const out = await git(['log', '--format=%H', '--reverse', commit, '--', pathspec]);
      return out.split('\n').filter((line) => line !== '');
    },
    async filesAt(commit) {
      const out = await git(['ls-tree', '-r', '--name-only', commit, '--', pathspec]);
      const paths = out.split('\n').filter((line) => line.endsWith('.avsc'));
      return Promise.all(
        paths.map(async (file) => ({
          path: prefix === '' ? file : path.posix.relative(prefix, file),
          text: await git(['show', `${commit}:${file}`]),
        })),
      );
    },
    async isAncestor(ancestor, descendant) {
      return (await tryGit(['merge-base', '--is-ancestor', ancestor, descendant])) !== undefined;
    },
    async mergeBase(ref) {
      const base = await tryGit(['merge-base', 'HEAD', ref]);
      return base === undefined || base === '' ? undefined : base;
    },
  };
}
