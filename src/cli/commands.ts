/** Every CLI command, one file each; adding a command is one line here. */
import type { Command } from 'commander';
import { registerConfig } from './config.ts';
import { registerProject } from './project.ts';

export const COMMANDS: readonly ((program: Command) => void)[] = [registerConfig, registerProject];
