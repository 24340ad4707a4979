/**
 * `convkit train` under faults. SIGKILL at 20+ random moments (a backup is written after every
 * batch, so many kills land inside a save): after every kill each file on disk loads, every
 * restart resumes from the backup, and the final weights equal an uninterrupted run's with the
 * same seed. SIGINT: the graceful path (stop after the batch, backup, resume message, exit 130)
 * and a second SIGINT that exits at once.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/io/model_io.js';
import { readBackupMetadata } from '../../src/callbacks/backup_and_restore.js';
import { Random } from '../../src/tensor/random.js';
import type { Model } from '../../src/models/model.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));
const TRAIN = ['train', '--epochs', '3', '--max-samples', '2000', '--quiet'];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn until "Training on" was printed (null if never). */
  startedAt: number | null;
}

/** Runs the command; `act(child, t0)` may signal it. Resolves when it exits. */
function convkit(args: string[], act?: (child: ReturnType<typeof spawn>, started: Promise<void>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let startedAt: number | null = null;
    let markStarted: () => void = () => {};
    const started = new Promise<void>((r) => (markStarted = r));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (startedAt === null && stdout.includes('Training on')) {
        startedAt = performance.now() - t0;
        markStarted();
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, startedAt }));
    act?.(child, started);
  });
}

async function weightsOf(path: string): Promise<Float32Array[]> {
  const m: Model = await loadModel(path);
  return m.weights.map((v) => Float32Array.from(v.values));
}

/** Every file the run may have left must be whole: the model, the history and the backup. */
async function assertFilesLoad(out: string, when: string): Promise<void> {
  const model = join(out, 'model.convkit');
  if (existsSync(model)) await assert.doesNotReject(loadModel(model), `${when}: model.convkit loads`);
  const history = join(out, 'history.json');
  if (existsSync(history)) assert.doesNotThrow(() => JSON.parse(readFileSync(history, 'utf8')), `${when}: history.json parses`);
  const backup = join(out, 'backup');
  if (existsSync(join(backup, 'backup.convkit'))) {
    const meta = await readBackupMetadata(backup);
    assert.equal(meta?.command, 'train', `${when}: the backup decodes (checksum, header) and is a train backup`);
  }
}

describe('convkit train under faults', () => {
  let reference: Float32Array[];
  let referenceRun: Run;

  before(async () => {
    const out = mkdtempSync(join(tmpdir(), 'ck-ref-'));
    referenceRun = await convkit([...TRAIN, '--out', out, '--backup-freq', '1']);
    assert.equal(referenceRun.code, 0, referenceRun.stderr);
    reference = await weightsOf(join(out, 'model.convkit'));
    assert.equal(existsSync(join(out, 'backup')), false, 'a finished run leaves no backup');
  });

  it('survives 20 SIGKILLs at random moments and ends with the uninterrupted weights', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ck-kill-'));
    const rng = new Random(2026);
    const startup = referenceRun.startedAt ?? 500;
    let kills = 0;
    let resumes = 0;
    let restarts = 0;
    while (kills < 20) {
      const resume = existsSync(join(out, 'backup', 'backup.convkit'));
      if (resume) resumes++;
      // Up to twice the start-up time plus a little training: some kills hit start-up or the
      // restore, most hit training, which spends most of its time writing the per-batch backup.
      const delay = 20 + rng.uniform() * (2 * startup + 300);
      let killed = false;
      const run = await convkit([...TRAIN, '--out', out, '--backup-freq', '1', ...(resume ? ['--resume'] : [])], (child) => {
        setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, delay);
      });
      if (run.signal === 'SIGKILL' && killed) kills++;
      else {
        assert.equal(run.code, 0, `a run that was not killed finishes cleanly: ${run.stderr}`);
        // It finished before the kill: start a new run from scratch so that 20 kills still happen.
        assert.deepEqual(await weightsOf(join(out, 'model.convkit')), reference, 'a run resumed after kills ends with the reference weights');
        rmSync(out, { recursive: true, force: true });
        restarts++;
      }
      await assertFilesLoad(out, `after kill ${kills} (delay ${delay.toFixed(0)} ms)`);
    }
    const resume = existsSync(join(out, 'backup', 'backup.convkit'));
    const last = await convkit([...TRAIN, '--out', out, '--backup-freq', '1', ...(resume ? ['--resume'] : [])]);
    assert.equal(last.code, 0, last.stderr);
    assert.ok(resumes >= 5, `most restarts resumed from a backup (${resumes} of ${kills + restarts})`);
    assert.deepEqual(await weightsOf(join(out, 'model.convkit')), reference, 'the final weights equal the uninterrupted run\'s');
    assert.equal(existsSync(join(out, 'backup')), false);
  });

  it('SIGINT stops after the batch, writes a backup, prints the resume command and exits 130; the resumed run matches', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ck-int-'));
    const run = await convkit([...TRAIN, '--out', out], (child, started) => {
      void started.then(() => setTimeout(() => child.kill('SIGINT'), 300));
    });
    assert.equal(run.code, 130, `exit code 130 after SIGINT (stderr: ${run.stderr})`);
    assert.match(run.stderr, /SIGINT: stopping after the current batch and writing a backup \(Ctrl-C again to quit at once\)/);
    assert.match(run.stdout, /Training stopped by SIGINT at epoch \d, after batch \d+; the backup is in .*backup/);
    const m = /Resume with: (convkit .*--resume)$/m.exec(run.stdout);
    assert.ok(m, run.stdout);
    await assertFilesLoad(out, 'after SIGINT');
    assert.equal(existsSync(join(out, 'model.convkit')), false, 'no final model from an interrupted run');
    // The same command without --resume refuses to overwrite the unfinished run.
    const refused = await convkit([...TRAIN, '--out', out]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds the backup of an interrupted run: add --resume to continue it/);
    const args = m[1].split(' ').slice(1);
    const resumed = await convkit(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /Resuming from the backup in .*: epoch \d, after batch \d+/);
    assert.deepEqual(await weightsOf(join(out, 'model.convkit')), reference);
    const fresh = await convkit([...TRAIN.map((a) => (a === '2000' ? '1000' : a)), '--out', mkdtempSync(join(tmpdir(), 'ck-x-')), '--resume']);
    assert.match(fresh.stderr, /--resume: there is no backup to resume in/);
  });

  it('a second SIGINT exits at once and leaves every file whole', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ck-int2-'));
    const run = await convkit([...TRAIN, '--out', out, '--backup-freq', '1'], (child, started) => {
      void started.then(() => setTimeout(() => {
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 5);
      }, 300));
    });
    assert.equal(run.code, 130);
    assert.match(run.stderr, /SIGINT: exiting now; the last backup in .* is intact/);
    await assertFilesLoad(out, 'after two SIGINTs');
  });

  it('refuses to resume with options that change the run, and an unwritable output directory up front', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ck-opt-'));
    const run = await convkit([...TRAIN, '--out', out], (child, started) => {
      void started.then(() => setTimeout(() => child.kill('SIGTERM'), 200));
    });
    assert.equal(run.code, 143, run.stderr);
    const other = await convkit([...TRAIN, '--out', out, '--seed', '7', '--resume']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /--resume: the backup in .* was made with other options \(seed: 42 in the backup, 7 now\)/);
    const file = join(out, 'backup', 'backup.convkit');
    const bad = await convkit([...TRAIN, '--out', join(file, 'sub')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--out: cannot create the directory ".*backup\.convkit\/sub": .*backup\.convkit is a file, not a directory/);
  });
});
