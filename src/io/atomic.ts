/**
 * Atomic file replacement: write everything to a temporary file in the target's directory, flush
 * it to disk, then rename it over the target. A rename within one directory is atomic on POSIX
 * file systems, so readers see either the old file or the complete new one, and a failure (or a
 * crash) part-way leaves the old file untouched.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Appends bytes to the file being written. */
export type WriteChunk = (bytes: Uint8Array) => Promise<void>;

/**
 * Writes `path` atomically with the bytes `fill` produces. If `fill` throws, or any write fails,
 * the temporary file is removed, `path` is unchanged, and the error propagates.
 * `describe` turns a file-system failure into the caller's error type.
 */
export async function writeAtomic(path: string, fill: (write: WriteChunk) => Promise<void>, describe: (problem: string, cause: unknown) => Error): Promise<void> {
  const target = resolve(path);
  // Same directory as the target: rename across file systems is not atomic (nor even allowed).
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh;
  try {
    fh = await open(tmp, 'wx');
  } catch (e) {
    throw describe(`cannot create a temporary file in ${dirname(target)}: ${(e as Error).message}`, e);
  }
  let closed = false;
  try {
    let position = 0;
    await fill(async (bytes) => {
      // FileHandle.write may write fewer bytes than asked; loop until the chunk is out.
      for (let done = 0; done < bytes.length;) {
        const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    });
    await fh.sync();
    closed = true;
    await fh.close();
    await rename(tmp, target);
  } catch (e) {
    if (!closed) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof Error && 'code' in e && 'syscall' in e) throw describe(`cannot write: ${e.message}`, e);
    throw e;
  }
  // Make the rename itself durable; not every platform can open a directory, so this is best effort.
  try {
    const dir = await open(dirname(target), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // ignore: the data is on disk, only the directory entry's durability is unconfirmed
  }
}
