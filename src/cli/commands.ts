/** Every CLI command, one file each; adding a command is one line here. */
import type { Command } from 'commander';
import { registerConfig } from './config.ts';
import { registerConsole } from './console.ts';
import { registerDlq } from './dlq.ts';
import { registerProject } from './project.ts';
import { registerProduce } from './produce.ts';
import { registerRun } from './run.ts';
import { registerSandbox } from './sandbox.ts';
import { registerSchemas } from './schemas.ts';

export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerConfig,
  registerProject,
  registerRun,
  registerDlq,
  registerSchemas,
  registerProduce,
  registerSandbox,
  registerConsole,
];
