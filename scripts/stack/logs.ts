// The end of a component's log, for error messages that explain a failed start without a second command.
import { readFile } from 'node:fs/promises';

export async function tailOf(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
