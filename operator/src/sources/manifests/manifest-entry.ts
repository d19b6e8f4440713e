// Which folder entries are manifests, and which of those may be read. Shared by the synchronous
// and asynchronous readers so both apply exactly the same rules.
import type { Stats } from 'node:fs';
import { extname } from 'node:path';
import type { Severity } from '../../diagnostics/diagnostic.js';
import type { ManifestLimits } from './manifest-limits.js';
import { formatBytes } from './manifest-limits.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface Refusal {
  severity: Severity;
  reason: string;
}

/** Dotfiles are editors' swap files, and Kubernetes volumes' `..data` internals; never read. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

export function isManifestName(name: string): boolean {
  return MANIFEST_EXTENSIONS.has(extname(name));
}

/**
 * Why a file, as stat or fstat describes it (symbolic links followed), is not read; undefined when
 * it may be. Not a regular file is a warning: a FIFO, socket or device can never hold a manifest,
 * and opening one can block or never end, so it is skipped and the rest of the folder still
 * applies. Too large is an error: it may well be a real manifest, and leaving its objects out
 * would delete them from the fleet.
 */
export function refusalOf(stats: Stats, limits: ManifestLimits): Refusal | undefined {
  if (!stats.isFile()) return { severity: 'warning', reason: `not a regular file but ${kindOf(stats)}; skipped` };
  if (stats.size > limits.maxFileBytes) {
    return { severity: 'error', reason: `${stats.size} bytes, over the limit of ${formatBytes(limits.maxFileBytes)} per file; not read` };
  }
  return undefined;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'neither a file nor a folder';
}

export function describeError(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return 'no such file or directory';
  return error instanceof Error ? error.message : String(error);
}
