import * as vscode from 'vscode';
import type { Options, SeveritySetting } from '../core/rule';

export const SECTION = 'wiMigrate';

export interface Settings {
  options: Options;
  /** Extra globs to index besides the files of our kinds (`FILE_KINDS`). */
  include: string[];
  /** Globs left out of the index, on top of `files.exclude`. */
  exclude: string[];
  /** Files larger than this are not analysed (a finding says so). */
  maxFileSize: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    options: {
      defaultNamespace: c.get<string>('defaultNamespace') || 'default',
      severities: { ...(c.get<Record<string, SeveritySetting>>('severity') ?? {}) },
    },
    include: c.get<string[]>('include') ?? [],
    exclude: c.get<string[]>('exclude') ?? [],
    maxFileSize: Math.max(1, c.get<number>('maxFileSizeKB') ?? 2048) * 1024,
  };
}
