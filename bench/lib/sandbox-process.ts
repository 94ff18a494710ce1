/** The Klaviyo sandbox in a child process (so the benchmark's CPU figures are the relay's alone). */
import { spawn } from 'node:child_process';

/** Runs `node <args>` (a script that prints `listening on <url>`) and resolves with that URL. */
export async function startSandboxProcess(args: readonly string[]): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      const match = /listening on (\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}
