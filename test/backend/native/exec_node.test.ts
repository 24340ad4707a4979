/**
 * execNode, the addon function bin/convkit.js uses to restart node with a V8 flag: the
 * process keeps its PID, its standard streams and its exit status; bad arguments and a failed exec
 * throw a JS error and leave the caller running.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '../../../src/backend/native/addon.js';

const { addon } = loadAddon();
const addonModule = fileURLToPath(new URL('../../../src/backend/native/addon.js', import.meta.url));
const posix = process.platform !== 'win32';

describe('native execNode', { skip: addon && posix ? false : 'native addon not built, or Windows' }, () => {
  const execNode = addon?.execNode as (path: string, args: unknown) => void;

  it('rejects bad arguments with a TypeError naming what was wrong', () => {
    assert.throws(() => (execNode as unknown as () => void)(), (e: unknown) => e instanceof TypeError && /execNode expects \(path: string, args: string\[\]\)/.test(e.message));
    assert.throws(() => execNode(42 as unknown as string, []), (e: unknown) => e instanceof TypeError && /path to be a string/.test(e.message));
    assert.throws(() => execNode(process.execPath, ['ok', 7]), (e: unknown) => e instanceof TypeError && /every argument to be a string/.test(e.message));
    assert.throws(() => execNode(process.execPath, ['a\u0000b']), (e: unknown) => e instanceof TypeError && /NUL character/.test(e.message));
  });

  it('a program that cannot run throws a RangeError naming it, and the caller goes on', () => {
    assert.throws(() => execNode('/nonexistent/convkit-node', ['-e', '0']), (e: unknown) => e instanceof RangeError && /cannot run \/nonexistent\/convkit-node: No such file/.test(e.message));
    assert.equal(1 + 1, 2);
  });

  it('replaces the process: same PID, stdout and stderr still connected, the new exit status, the new flags', () => {
    const replaced = 'console.log(JSON.stringify({ pid: process.pid, flags: process.execArgv })); console.error("to stderr"); process.exit(7)';
    const script = `const { loadAddon } = require(${JSON.stringify(addonModule)});
      process.stdout.write('before ' + process.pid + '\\n');
      loadAddon().addon.execNode(process.execPath, ['--no-concurrent-array-buffer-sweeping', '-e', ${JSON.stringify(replaced)}]);
      console.log('not reached');`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 7, r.stderr);
    const [before, after] = r.stdout.trim().split('\n');
    const pid = Number(/^before (\d+)$/.exec(before)?.[1]);
    assert.ok(pid > 0, r.stdout);
    assert.deepEqual(JSON.parse(after), { pid, flags: ['--no-concurrent-array-buffer-sweeping', '-e', replaced] });
    assert.match(r.stderr, /to stderr/);
    assert.doesNotMatch(r.stdout, /not reached/);
  });
});
