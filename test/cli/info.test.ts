/** `convkit info`: backend, instruction set, thread count and versions, as text and JSON. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadAddon } from '../../src/backend/native/addon.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));

function info(env: Record<string, string>, ...args: string[]): string {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.CONVKIT_BACKEND;
  if (env.CONVKIT_BACKEND) e.CONVKIT_BACKEND = env.CONVKIT_BACKEND;
  return execFileSync(process.execPath, [bin, 'info', ...args], { env: e, encoding: 'utf8' });
}

describe('convkit info', () => {
  it('the addon is built and loads (CI builds it at npm ci)', () => {
    const { addon, error } = loadAddon();
    assert.ok(addon, `native addon failed to load: ${error}`);
  });

  it('reports the native backend by default, with its instruction set and CONVKIT_NUM_THREADS threads', () => {
    const facts = JSON.parse(info({ CONVKIT_NUM_THREADS: '1' }, '--json')) as { backend: string; isa: string; threads: number; native: { detectedIsa: string } };
    assert.equal(facts.backend, 'native');
    assert.match(facts.isa, /^(avx512|avx2|generic)$/);
    assert.equal(facts.threads, 1);
    const two = JSON.parse(info({ CONVKIT_NUM_THREADS: '2' }, '--json')) as { threads: number };
    assert.equal(two.threads, 2);
    const text = info({ CONVKIT_NUM_THREADS: '2' });
    assert.match(text, /^convkit \d+\.\d+\.\d+\nbackend: native \(C\+\+ kernels, (avx512|avx2|generic) instructions, 2 threads\)\naddon: .+convkit(\.napi(\.glibc)?)?\.node \(N-API \d+, .+, \d+ kernels\)\nnode: v\d+/);
  });

  it('the command runs node with --no-concurrent-array-buffer-sweeping unless CONVKIT_NODE_GC=default', () => {
    assert.equal((JSON.parse(info({}, '--json')) as { gc: string }).gc, 'no-concurrent-array-buffer-sweeping');
    assert.match(info({}), /\nnode: v\d+.*, GC --no-concurrent-array-buffer-sweeping\)\n$/);
    assert.equal((JSON.parse(info({ CONVKIT_NODE_GC: 'default' }, '--json')) as { gc: string }).gc, 'default');
    assert.match(info({ CONVKIT_NODE_GC: 'default' }), /, GC V8's default\)\n$/);
  });

  it('the restarted command passes on its exit code and its output', () => {
    const r = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.notEqual(r.status, null);
    assert.match(r.stderr, /no-such-command/);
  });

  it('CONVKIT_ISA caps the instruction set and CONVKIT_BACKEND=js selects the js backend', () => {
    const generic = JSON.parse(info({ CONVKIT_ISA: 'generic' }, '--json')) as { isa: string };
    assert.equal(generic.isa, 'generic');
    assert.match(info({ CONVKIT_BACKEND: 'js' }), /backend: js \(reference TypeScript kernels, 1 thread\)/);
  });
});

describe('without the addon', () => {
  it('falls back to the js backend with a one-line notice saying why, and still trains', () => {
    const e: NodeJS.ProcessEnv = { ...process.env, CONVKIT_ADDON_PATH: '/nonexistent/convkit.node' };
    delete e.CONVKIT_BACKEND;
    const script = `import('${new URL('../../src/index.js', import.meta.url).href}').then((ck) => {
      const m = new ck.Sequential([ck.layers.dense({ units: 2, inputShape: [3], activation: 'relu' })]);
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const [loss] = [m.trainOnBatch(ck.tensor([[1, 2, 3]]), ck.tensor([[1, 0]]))];
      console.log(JSON.stringify({ backend: ck.getBackend().name, finite: Number.isFinite(Array.isArray(loss) ? loss[0] : loss) }));
    });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: e, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { backend: 'js', finite: true });
    const notices = r.stderr.split('\n').filter((l) => l.startsWith('convkit:'));
    assert.equal(notices.length, 1, r.stderr);
    assert.match(notices[0], /^convkit: native backend unavailable \(.*nonexistent.*\); using the slower js backend/);
  });
});
