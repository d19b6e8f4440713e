// Reads one manifest file, safely whatever it turned into since it was listed. The file is opened
// non-blocking (opening a FIFO would otherwise wait for a writer) and checked again on the open
// descriptor, so a file swapped for a FIFO, a device or something huge after the walk is still
// refused; at most its size at open plus one byte is read, so a file that keeps growing cannot
// exhaust memory; and a file that changed while being read is reported, never half-used.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeError, refusalOf } from './manifest-entry.js';
import type { Refusal } from './manifest-entry.js';
import type { ManifestLimits } from './manifest-limits.js';
import { CHANGING, stampOf } from './manifest-stamps.js';

/**
 * The text and the stamp it was read at; or why not, with the stamp to remember when that differs
 * from the listed one (absent: the file as listed could not be opened, and trying again without a
 * change to it would not help).
 */
export type FileContent = { text: string; stamp: string } | { refusal: Refusal; stamp?: string };

// O_NONBLOCK does not change reads of regular files; it only keeps open() from waiting on a FIFO.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export async function readManifestFile(path: string, limits: ManifestLimits): Promise<FileContent> {
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch (error) {
    return cannotRead(error);
  }
  try {
    const before = await handle.stat();
    const refusal = refusalOf(before, limits);
    if (refusal) return { refusal, stamp: stampOf(before) };
    const buffer = Buffer.alloc(before.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    return checked(buffer, length, before, await handle.stat());
  } catch (error) {
    return cannotRead(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export function readManifestFileSync(path: string, limits: ManifestLimits): FileContent {
  let fd;
  try {
    fd = openSync(path, FLAGS);
  } catch (error) {
    return cannotRead(error);
  }
  try {
    const before = fstatSync(fd);
    const refusal = refusalOf(before, limits);
    if (refusal) return { refusal, stamp: stampOf(before) };
    const buffer = Buffer.alloc(before.size + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    return checked(buffer, length, before, fstatSync(fd));
  } catch (error) {
    return cannotRead(error);
  } finally {
    closeSync(fd);
  }
}

/** The text, if what was read is the whole file as it was when the read began. */
function checked(buffer: Buffer, length: number, before: Stats, after: Stats): FileContent {
  if (length !== before.size || stampOf(after) !== stampOf(before)) {
    return { refusal: { severity: 'error', reason: 'changed while being read; not used' }, stamp: CHANGING };
  }
  return { text: buffer.toString('utf8', 0, length), stamp: stampOf(before) };
}

function cannotRead(error: unknown): FileContent {
  return { refusal: { severity: 'error', reason: `cannot read: ${describeError(error)}` } };
}
