// Layers point down, kept by eslint's no-restricted-imports (issue 16): the rule fires on an upward
// import in each layer, and the two modules that imported upward (the event validator reaching into the
// projection, the projector into the dlq tool) are clean.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('layering by lint', () => {
  it.each([
    ['src/domain/probe.ts', "import { KLAVIYO_LIMITS } from '../projection/limits.ts';"],
    ['src/domain/probe.ts', "import { frame } from '../codec/wire-format.ts';"],
    ['src/codec/probe.ts', "import { createKafka } from '../pipeline/kafka/client.ts';"],
    ['src/projection/routing/probe.ts', "import { purge } from '../../dlq/operations.ts';"],
    ['src/klaviyo/probe.ts', "import { startRelay } from '../main.ts';"],
    ['src/pipeline/projector/probe.ts', "import { readAudit } from '../../dlq/operations.ts';"],
    ['src/pipeline/probe.ts', "import { buildProgram } from '../cli/main.ts';"],
  ])('%s may not: %s', async (file, line) => {
    expect(await restrictedImports(`${line}\nexport const used = 1;\n`, file)).toHaveLength(1);
  });

  it('lets layers import downwards', async () => {
    const code = "import { frame } from '../codec/wire-format.ts';\nexport const used = frame;\n";
    expect(await restrictedImports(code, 'src/dlq/probe.ts')).toEqual([]);
  });

  it.each(['src/domain/validation.ts', 'src/pipeline/projector/process-record.ts'])(
    '%s imports nothing from above its layer',
    async (file) => {
      const [result] = await eslint.lintFiles([`${root}${file}`]);
      expect(result?.messages.filter((message) => message.ruleId === 'no-restricted-imports')).toEqual([]);
    },
  );
});
