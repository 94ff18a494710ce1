/**
 * `npm run codegen`: generates TypeScript types and the embedded reader schemas from schemas/**\/*.avsc
 * into src/domain/generated/. `--check` writes nothing and exits 1 when the generated files are stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSchemaFiles, staleFiles } from './codegen/files.ts';
import { renderGeneratedFiles } from './codegen/render.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

try {
  const generated = renderGeneratedFiles(readSchemaFiles(root));
  if (check) {
    const stale = staleFiles(root, generated);
    if (stale.length > 0) {
      process.stderr.write(`stale generated files (run npm run codegen): ${stale.join(', ')}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write('generated files are up to date\n');
    }
  } else {
    for (const file of generated) {
      const target = join(root, file.path);
      mkdirSync(dirname(target), { recursive: true });
      const previous = readIfExists(target);
      if (previous !== file.content) writeFileSync(target, file.content);
      process.stdout.write(`${previous === file.content ? 'unchanged' : 'wrote'} ${file.path}\n`);
    }
  }
} catch (error) {
  process.stderr.write(`codegen failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
