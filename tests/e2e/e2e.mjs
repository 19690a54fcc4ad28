// End-to-end tests of the playground in Debian's Chromium (playwright-core), against the built
// page in dist/. Run by tests/run-all.sh after `trunk build --release`:
//
//   node tests/e2e/e2e.mjs
//
// Screenshots of the main views are written to target/e2e-artifacts/.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateRawSync } from 'node:zlib';
import assert from 'node:assert/strict';

// Each phase runs in a process of its own with its own browser, so that one phase's workers can
// never slow or stall the next.
const PHASE = process.argv[2] || 'all';
if (PHASE === 'all') {
  const { spawnSync } = await import('node:child_process');
  let failed = 0;
  for (const phase of ['lessons', 'isolated', 'hostile', 'plain', 'service-worker', 'native']) {
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, phase], { stdio: 'inherit', timeout: 600_000 });
    if (r.status !== 0) failed++;
  }
  process.exit(failed ? 1 : 0);
}

const ART = 'target/e2e-artifacts';
mkdirSync(ART, { recursive: true });
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const NATIVE = process.env.NATIVE_RUNNER || 'target/release/native-runner';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// The engine's catalogue, as `native-runner list` prints it, so a model added to the engine is
// tested here without an edit.
const CATALOGUE = JSON.parse(execFileSync(NATIVE, ['list', '--format', 'json']).toString());
const MODELS = CATALOGUE.models.map((m) => m.name);
assert.ok(MODELS.includes('sequential') && MODELS.length >= 2, `models: ${MODELS}`);
// The models a page runs: not those whose workers an MPI launcher starts, natively (their
// checks: "mpi" below).
const PAGE_MODELS = CATALOGUE.models.filter((m) => !m.needs_launcher).map((m) => m.name);
assert.ok(PAGE_MODELS.length >= 2 && PAGE_MODELS.length < MODELS.length, `models a page runs: ${PAGE_MODELS}`);

function serve(port, isolation) {
  const args = ['tests/e2e/serve.py', '--port', String(port), '--dir', 'dist'];
  if (!isolation) args.push('--no-isolation');
  const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (String(d).includes('serving')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function spec(workload, n, model, workers, extra = {}) {
  return {
    schema_version: 1,
    workload: { name: workload, n, params: extra.params || {} },
    model: { name: model, ...(extra.model || {}) },
    workers,
    repetitions: extra.repetitions ?? 1,
    warmups: extra.warmups ?? 0,
    baseline: extra.baseline ?? true,
    ...(extra.sweep ? { sweep: extra.sweep } : {}),
    ...(extra.timeline === false ? { timeline: false } : {}),
  };
}

// CPU seconds used so far by process `root` and every process below it, by pid: utime + stime
// from /proc/<pid>/stat. A process's figure covers all its threads, so a renderer's Web
// Workers count in it.
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
function cpuOfTree(root) {
  const parent = new Map();
  const cpu = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    // Fields after the command name, which is in parentheses and may hold spaces: state is
    // field 3, ppid 4, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(d), Number(f[1]));
    cpu.set(Number(d), (Number(f[11]) + Number(f[12])) / CLK_TCK);
  }
  const out = new Map();
  const below = (pid) => {
    for (let p = parent.get(pid); p !== undefined && p !== 0; p = parent.get(p)) {
      if (p === root) return true;
    }
    return false;
  };
  for (const [pid, seconds] of cpu) if (pid === root || below(pid)) out.set(pid, seconds);
  return out;
}
// CPU seconds of every thread of process tree `root`, by "pid/tid": which threads computed.
function threadCpuOfTree(root) {
  const out = new Map();
  for (const pid of cpuOfTree(root).keys()) {
    let tids;
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tids) {
      let stat;
      try { stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); } catch { continue; }
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${pid}/${tid}`, (Number(f[11]) + Number(f[12])) / CLK_TCK);
    }
  }
  return out;
}
// CPU seconds of process tree `root` over wall seconds while `fn` runs: above 1, more than
// one core was busy.
async function cpuOverWall(root, fn) {
  const before = cpuOfTree(root);
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const after = cpuOfTree(root);
  let cpu = 0;
  for (const [pid, s] of after) cpu += s - (before.get(pid) ?? 0);
  return { cpu, wall, ratio: cpu / wall };
}

// The engine's link form: JSON, raw deflate, unpadded base64url.
const pack = (value) => deflateRawSync(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)))
  .toString('base64url');

async function ready(page) {
  await page.waitForFunction(() => window.playground && window.playground.machine().ready, null, { timeout: 90_000 });
}

const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - t0 });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: String(e && e.stack || e) });
    console.log(`FAIL ${name}\n${e && e.stack || e}`);
  }
}

const PORT = Number(process.env.E2E_PORT || 8123);
// The native phase is served by native-runner itself; the others by tests/e2e/serve.py.
function serveNative(port) {
  const child = spawn(NATIVE, ['serve', '--port', String(port), '--dist', 'dist'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { if (String(d).includes('playground:')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`native-runner serve exited with ${code}`)));
  });
}
const server = PHASE === 'native'
  ? await serveNative(PORT + 2)
  : await serve(['isolated', 'hostile', 'lessons'].includes(PHASE) ? PORT : PORT + 1, ['isolated', 'hostile', 'lessons'].includes(PHASE));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
// Closing a browser whose pages still run engine workers can stall; never wait on it for long.
const close = (b) => Promise.race([b.close(), new Promise((r) => setTimeout(r, 5_000))]);
const BASE = `http://127.0.0.1:${PORT}/`;
const NATIVE_BASE = `http://127.0.0.1:${PORT + 2}/`;
const PLAIN = `http://127.0.0.1:${PORT + 1}/`;
const figures = {};

try {
 if (PHASE === 'isolated') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(BASE);
  await ready(page);

  await test('the page is cross-origin isolated and the engine has threads', async () => {
    const m = await page.evaluate(() => window.playground.machine());
    assert.equal(m.crossOriginIsolated, true);
    assert.equal(m.threads, true);
    assert.ok(m.poolSize >= 2, `pool of ${m.poolSize}`);
    assert.ok(typeof window === 'undefined' || true);
    figures.machine = m;
  });

  // Verdicts hold on a busy machine too: what the workers did, never how fast they did it.
  await test('the page offers every model and workload of the engine, in the catalogue\'s order', async () => {
    const values = (name) => page.$$eval(`select[name=${name}] option`, (os) => os.map((o) => o.value));
    assert.deepEqual(await values('model'), MODELS);
    assert.deepEqual(await values('workload'), CATALOGUE.workloads.map((w) => w.name));
  });

  await test('mandelbrot: both workers ran tasks, at the same time, and the answer equals the native runner\'s', async () => {
    const s = spec('mandelbrot', 2000, 'work-stealing', 1, { repetitions: 1, warmups: 0, baseline: false, sweep: { workers: [1, 2] } });
    const r = await page.evaluate((s) => window.playground.run(s), s);
    const [one, two] = r.results;
    assert.equal(one.workers, 1);
    assert.equal(two.workers, 2);
    assert.equal(two.workers_used, 2, 'both workers ran tasks');
    // Some task of worker 0 and some task of worker 1 were running at the same moment.
    const spans = (w) => two.tasks.filter((t) => t.worker === w).sort((a, b) => a.start - b.start);
    const [a, b] = [spans(0), spans(1)];
    assert.ok(a.length > 0 && b.length > 0, 'tasks recorded for both workers');
    let i = 0;
    let j = 0;
    let overlap = false;
    while (i < a.length && j < b.length && !overlap) {
      overlap = a[i].start < b[j].end && b[j].start < a[i].end;
      if (a[i].end < b[j].end) i++; else j++;
    }
    assert.ok(overlap, 'the two workers\' tasks overlap in time');
    // Recorded, not judged: speed is measured by the benchmarks, on an idle machine.
    figures.mandelbrot_2_vs_1 = one.median / two.median;
    const native = execFileSync(NATIVE, ['output', 'mandelbrot', '--n', '2000']);
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(native).digest('hex');
    assert.equal(two.answer.sha256, sha, 'wasm answer equals the native runner\'s');
    assert.equal(one.answer.sha256, sha);
  });

  // --- Hazards: a deadlock in the page
  // The naive order deadlocks in every model whose workers are threads sharing memory; the run
  // comes back with its cycle, the page says it in words and draws it on the timeline. Nothing
  // is timed: the cycle is found by the wait that closes it, and a thousand meals that each hold
  // a fork for 5 ms give it every chance to close on a busy machine.
  await test('philosophers: naive deadlocks in every thread model, named and drawn; ordered eats every meal', async () => {
    const philosophers = (order, n, model) => spec('philosophers', n, model, 3,
      { baseline: false, params: { philosophers: 3, order, hold_ms: 5 } });
    for (const m of CATALOGUE.models.filter((m) => m.shared_memory_threads)) {
      // One run on a phone's width: its timeline scrolls sideways, to the cycle.
      const phone = m.name === 'thread-per-task';
      if (phone) await page.setViewportSize({ width: 390, height: 844 });
      const r = await page.evaluate((s) => window.playground.run(s), philosophers('naive', 1000, m.name));
      assert.equal(r.error?.kind, 'deadlock', `${m.name}: ${JSON.stringify(r.error)}`);
      assert.equal(r.error.cycle.length, 3, m.name);
      r.error.cycle.forEach((e, i) => assert.equal(e.waits_for, r.error.cycle[(i + 1) % 3].holds, m.name));
      assert.equal(r.partial.stopped.in_flight.length, 3, `${m.name}: every philosopher still at the table`);
      await page.waitForSelector('#results .failure');
      assert.match(await page.textContent('#results .failure'), /worker \d holds fork \d and waits for fork \d/);
      assert.equal(await page.locator('#timeline .cycle-edge').count(), 3, `${m.name}: an arrow per wait`);
      assert.equal(await page.locator('#timeline .blocked.deadlocked').count(), 3, m.name);
      assert.match(await page.textContent('#timeline-deadlock'), /waits for fork/);
      if (phone) {
        await page.locator('#timeline').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${ART}/deadlock-phone.png`, fullPage: false });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page overflows a phone by ${overflow} px`);
        const scrolled = await page.$eval('#timeline', (e) => e.scrollWidth - e.clientWidth - e.scrollLeft);
        assert.ok(scrolled <= 1, `the timeline is ${scrolled} px short of the cycle`);
        await page.setViewportSize({ width: 1366, height: 900 });
        await page.locator('#timeline').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${ART}/deadlock.png`, fullPage: false });
        await page.setViewportSize({ width: 1400, height: 1000 });
      }
    }
    // The deadlocked run links to the interleaving behind it, step by step, in Be the scheduler.
    await page.waitForSelector('#hazard-links a');
    assert.match(await page.textContent('#hazard-links'), /deadlock in 2 of the 6 orders/);
    await page.click('#hazard-links a');
    await page.waitForFunction(() => /Deadlocked/.test(document.querySelector('#sched-status')?.textContent ?? ''));
    assert.match(page.url(), /#explore=philosophers&threads=2&order=naive&schedule=0\.1$/);
    const r = await page.evaluate((s) => window.playground.run(s), philosophers('ordered', 20, 'dynamic-pool'));
    assert.equal(r.error, undefined);
    assert.equal(r.results[0].verified, true);
    assert.equal(r.results[0].answer.summary, '60 meals for 3 philosophers, no fork ever held by two at once');
    assert.equal(r.results[0].locks.acquisitions.reduce((a, b) => a + b, 0), 120);
    await page.waitForSelector('#locks li');
    assert.match(await page.textContent('#locks'), /lock acquisitions per worker/);
    // The counter's mutex: its shares are measured, with Jain's index.
    const c = await page.evaluate((s) => window.playground.run(s),
      spec('counter', 200_000, 'dynamic-pool', 2, { baseline: false, params: { variant: 'mutex' } }));
    assert.ok(c.results[0].locks.fairness >= 0.5 && c.results[0].locks.fairness <= 1, JSON.stringify(c.results[0].locks));
    assert.match(await page.textContent('#locks'), /fairness \(Jain\) [01]\.\d\d/);
  });
  // --- end Hazards

  // The one check that the threads really run in parallel, and one that holds under load: one
  // thread can never use more than one CPU second per second, and with a busy process on every
  // core the page's 4 x cores workers still get about 4/5 of the cores.
  //
  // That share is per thread only among processes of one session. Playwright starts its
  // browsers in a session of their own, and Linux's autogroup scheduling shares the CPUs
  // between sessions first: against a busy process per core in the test's session, such a
  // browser gets half the machine (one core of two) however many threads it runs. So this
  // check starts its browser itself, in the test's session, and drives it over CDP.
  // Whether the threads ran at the same instant depends on what else the machine runs, so the
  // verdict is that the work was spread over several OS threads; CPU over wall time is a figure
  // for the benchmark, logged, never judged.
  await test('the page\'s workers compute on several OS threads of the browser, whatever the load', async () => {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (cores < 2) {
      console.log('     one core: nothing to check');
      return;
    }
    const profile = mkdtempSync(`${tmpdir()}/e2e-chromium-`);
    const child = spawn(CHROMIUM, [...ARGS, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const endpoint = await new Promise((resolve, reject) => {
      let text = '';
      child.stderr.on('data', (d) => {
        text += d;
        const m = text.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`chromium exited with ${code}: ${text}`)));
    });
    const own = await chromium.connectOverCDP(endpoint);
    try {
      const p = await own.contexts()[0].newPage();
      await p.goto(BASE);
      await ready(p);
      const s = spec('mandelbrot', 5500, 'dynamic-pool', 4 * cores, { repetitions: 1, warmups: 0, baseline: false, timeline: false });
      // The workers start on a first, small run, so that what is measured is computing.
      await p.evaluate((s) => window.playground.run(s), { ...s, workload: { ...s.workload, n: 200 } });
      const before = threadCpuOfTree(child.pid);
      const m = await cpuOverWall(child.pid, () => p.evaluate((s) => window.playground.run(s), s));
      const used = [...threadCpuOfTree(child.pid)].map(([k, v]) => v - (before.get(k) ?? 0)).filter((v) => v > 0);
      const total = used.reduce((a, b) => a + b, 0);
      // A thread that did at least a twentieth of the work: one of the engine's workers.
      const computing = used.filter((v) => v >= total / 20).length;
      figures.cpu_over_wall = m;
      console.log(`     ${4 * cores} workers: ${m.cpu.toFixed(2)} CPU s in ${m.wall.toFixed(2)} s = ${m.ratio.toFixed(2)} cores busy (${cores} cores); ${computing} threads each did a twentieth or more`);
      assert.ok(computing >= 2, `${computing} thread(s) computed: ${used.map((v) => v.toFixed(2)).join(', ')} CPU s`);
    } finally {
      // Closed by itself, the browser ends every process it started before its profile goes.
      const exited = new Promise((resolve) => { if (child.exitCode !== null) resolve(); else child.once('exit', resolve); });
      await own.newBrowserCDPSession().then((cdp) => cdp.send('Browser.close')).catch(() => {});
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      child.kill();
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10 });
      } catch (e) {
        console.log(`     left ${profile} behind: ${e.code}`);
      }
    }
  });

  for (const model of PAGE_MODELS) {
    await test(`model ${model} runs and verifies`, async () => {
      const workers = model === 'sequential' ? 1 : 2;
      // Long enough (tens of ms) for a second worker to have started and taken work on a busy
      // machine: a 15 ms run can end first. Under the GIL a thread keeps the lock for a whole
      // switch interval, so the gil run also switches often.
      const options = model === 'gil' ? { model: { switch_interval_ms: 0.2 } } : {};
      const r = await page.evaluate((s) => window.playground.run(s), spec('primes', 1_000_000, model, workers, { params: { tasks: 16 }, ...options }));
      const row = r.results[r.results.length - 1];
      assert.equal(row.model, model);
      assert.equal(row.verified, true, row.verification);
      assert.equal(row.answer.summary, '78498 primes below 1000000');
      const expectUsed = model === 'sequential' || model === 'async' ? 1 : 2;
      assert.equal(row.workers_used, expectUsed, `${model} used ${row.workers_used} workers`);
    });
  }

  await test('a run from the page: progress, results table with speedup intervals, timeline; the main thread stays free', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.selectOption('select[name=workload]', 'primes');
    await page.selectOption('select[name=model]', 'static-pool');
    await page.fill('input[name=workers]', '2');
    await page.press('input[name=workers]', 'Tab');
    await page.fill('input[name="param.n"]', '3000000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    await page.waitForSelector('#progress', { timeout: 10_000 });
    // The main thread is free while the engine computes: its timers keep firing and it shows
    // the engine's progress as it changes. (Had the engine run on the main thread, nothing
    // would run until the run was over and the progress line gone.)
    const seen = await page.evaluate(() => new Promise((resolve) => {
      const texts = new Set();
      const timer = setInterval(() => {
        const p = document.querySelector('#progress');
        if (!p) {
          clearInterval(timer);
          resolve([...texts]);
        } else {
          texts.add(p.textContent);
        }
      }, 20);
    }));
    assert.ok(seen.length >= 2, `progress seen during the run: ${JSON.stringify(seen)}`);
    await page.waitForSelector('#progress', { state: 'detached', timeout: 120_000 });
    await page.waitForSelector('#results tr[data-model="static-pool"]');
    await page.waitForSelector('#timeline svg');
    // Recorded, not judged: how long a main-thread task is depends on the machine's load.
    figures.longest_main_thread_task = await page.textContent('#longtask');
    // The speedup as hyperfine writes it: the figure and the half-width of its 95% interval.
    const speedup = await page.textContent('#results tr[data-model="static-pool"] td.speedup .figure');
    assert.match(speedup, /^\d+\.\d\d ± \d+\.\d\d$/, speedup);
    await page.screenshot({ path: `${ART}/results.png`, fullPage: true });
  });

  await test('a worker sweep draws the speedup chart with an Amdahl fit', async () => {
    await page.selectOption('select[name=workload]', 'amdahl');
    await page.selectOption('select[name=model]', 'dynamic-pool');
    await page.selectOption('select[name=sweep]', 'workers');
    await page.fill('input[name=sweep_values]', '1..2');
    await page.press('input[name=sweep_values]', 'Tab');
    await page.click('#run');
    await page.waitForSelector('#speedup-chart svg', { timeout: 120_000 });
    await page.screenshot({ path: `${ART}/sweep.png`, fullPage: true });
  });

  await test('a share link restores every setting', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.selectOption('select[name=workload]', 'sleep');
    await page.fill('input[name="param.latency_ms"]', '7');
    await page.press('input[name="param.latency_ms"]', 'Tab');
    await page.selectOption('select[name=model]', 'message-passing');
    await page.fill('input[name=workers]', '3');
    await page.press('input[name=workers]', 'Tab');
    await page.fill('input[name=chunk_size]', '4');
    await page.press('input[name=chunk_size]', 'Tab');
    await page.selectOption('select[name=order]', 'ordered');
    await page.fill('input[name=repetitions]', '2');
    await page.press('input[name=repetitions]', 'Tab');
    await page.click('#copy-link');
    const link = await page.inputValue('#link');
    assert.ok(link.includes('#x='), link);
    const other = await context.newPage();
    await other.goto(link);
    await ready(other);
    const values = async (p) => ({
      workload: await p.inputValue('select[name=workload]'),
      latency: await p.inputValue('input[name="param.latency_ms"]'),
      model: await p.inputValue('select[name=model]'),
      workers: await p.inputValue('input[name=workers]'),
      chunk: await p.inputValue('input[name=chunk_size]'),
      order: await p.inputValue('select[name=order]'),
      reps: await p.inputValue('input[name=repetitions]'),
    });
    const want = await values(page);
    assert.deepEqual(await values(other), want);
    assert.deepEqual(want, { workload: 'sleep', latency: '7', model: 'message-passing', workers: '3', chunk: '4', order: 'ordered', reps: '2' });
    await other.close();
  });

  await test('Stop ends a long run within 200 ms and the next run works', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.selectOption('select[name=workload]', 'n-body');
    await page.selectOption('select[name=model]', 'static-pool');
    await page.fill('input[name="param.n"]', '100000000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    // Long enough to be asked about first.
    await page.click('#confirm-run');
    await page.waitForSelector('#progress');
    await page.waitForTimeout(500);
    // Measured inside the page: from the click to the moment the run is gone from the page.
    const stopMs = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      const observer = new MutationObserver(() => {
        if (!document.querySelector('#progress')) {
          observer.disconnect();
          resolve(performance.now() - t0);
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
      document.querySelector('#stop').click();
    }));
    figures.stop_ms = stopMs;
    console.log(`     stopped in ${stopMs.toFixed(0)} ms`);
    assert.ok(stopMs <= 200, `stop took ${stopMs} ms`);
    const notice = await page.textContent('#notice');
    assert.ok(/stopped|cancelled/.test(notice), notice);
    await ready(page);
    const r = await page.evaluate((s) => window.playground.run(s), spec('primes', 100_000, 'dynamic-pool', 2));
    assert.equal(r.results[1].verified, true);
  });

  await test('a link can carry the sender\'s results, shown beside the receiver\'s', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.selectOption('select[name=workload]', 'square');
    await page.fill('input[name="param.n"]', '5000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    await page.waitForSelector('#results tr[data-model="dynamic-pool"]', { timeout: 60_000 });
    await page.check('#include-results');
    await page.click('#copy-link');
    const link = await page.inputValue('#link');
    assert.ok(link.includes('&r='), 'the link carries results');
    const other = await context.newPage();
    await other.goto(link);
    await ready(other);
    await other.waitForSelector('text=from the link');
    assert.equal(await other.inputValue('input[name="param.n"]'), '5000');
    await other.close();
  });

  await test('a chunk-size sweep draws run time against chunk size; CSV export', async () => {
    await page.selectOption('select[name=model]', 'static-pool');
    await page.selectOption('select[name=sweep]', 'chunk_size');
    await page.fill('input[name=sweep_values]', '1,16,256');
    await page.press('input[name=sweep_values]', 'Tab');
    await page.click('#run');
    await page.waitForSelector('#chunk-chart svg', { timeout: 120_000 });
    await page.screenshot({ path: `${ART}/chunk-sweep.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    await download.saveAs(`${ART}/exported.csv`);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(`${ART}/exported.csv`, 'utf8').trim().split('\n');
    assert.ok(csv[0].startsWith('workload,n,model,workers,chunk_size'), csv[0]);
    assert.equal(csv.length, 1 + 4, 'header, baseline and three chunk sizes');
  });

  await test('back and forward move between experiments', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.selectOption('select[name=workload]', 'square');
    await page.fill('input[name="param.n"]', '1000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    await page.waitForSelector('#results tr[data-model="dynamic-pool"]', { timeout: 60_000 });
    await page.selectOption('select[name=workload]', 'counter');
    await page.fill('input[name="param.n"]', '1000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    await page.waitForFunction(() => !document.querySelector('#progress'), null, { timeout: 60_000 });
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('select[name=workload]').value === 'square');
    await page.goForward();
    await page.waitForFunction(() => document.querySelector('select[name=workload]').value === 'counter');
  });

  await test('export JSON, then import it beside the browser results', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
    const path = `${ART}/exported.json`;
    await download.saveAs(path);
    await page.setInputFiles('#import', path);
    await page.waitForSelector('text=imported: exported.json');
  });

  await test('native-runner results import beside the browser\'s, compared configuration by configuration', async () => {
    // The same experiment in the page first: its newest results are what imports are compared with.
    await page.evaluate((s) => window.playground.run(s), spec('primes', 100_000, 'dynamic-pool', 2, { repetitions: 2, warmups: 1 }));
    const json = execFileSync(NATIVE, ['run', '-w', 'primes', '--n', '100000', '-m', 'dynamic-pool', '-j', '2', '-r', '2', '-f', 'json']);
    writeFileSync(`${ART}/native.json`, json);
    await page.setInputFiles('#import', `${ART}/native.json`);
    await page.waitForSelector('text=imported: native.json');
    const compared = page.locator('#comparisons .compare', { hasText: 'B: imported: native.json' });
    const rows = await compared.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      model: tr.dataset.model,
      ratio: tr.querySelector('.ratio').textContent,
      p: tr.children[4].textContent,
      verdict: tr.querySelector('.verdict').textContent,
      sentence: tr.title,
    })));
    assert.deepEqual(rows.map((r) => r.model), ['sequential', 'dynamic-pool']);
    for (const r of rows) {
      assert.match(r.ratio, /^\d+\.\d\d ± \d+\.\d\d$/, r.ratio);
      assert.match(r.p, /^(< 0\.001|[01]\.\d{3})$/, r.p);
      assert.ok(['A slower', 'A faster', 'no significant difference'].includes(r.verdict), r.verdict);
      // "no significant difference" exactly when the engine says the difference is not significant.
      assert.equal(r.verdict === 'no significant difference', /^no significant difference/.test(r.sentence), r.sentence);
    }
    // Results of another experiment are not compared, and the page says why in one line.
    const other = execFileSync(NATIVE, ['run', '-w', 'primes', '--n', '200000', '-m', 'dynamic-pool', '-j', '2', '-r', '2', '-f', 'json']);
    writeFileSync(`${ART}/other.json`, other);
    await page.setInputFiles('#import', `${ART}/other.json`);
    const why = await page.textContent('#comparisons .compare-error >> text=imported: other.json', { timeout: 10_000 });
    assert.match(why, /different experiments: n 100000 in A, 200000 in B/, why);
    await page.screenshot({ path: `${ART}/imported.png`, fullPage: true });
    await page.locator('#comparisons').screenshot({ path: `${ART}/comparisons.png` });
  });

  // A result file as an older playground or native-runner wrote it (no intervals, no
  // warnings), with an impossible speedup and a noisy baseline: the page computes what the
  // file lacks, and flags both figures in the row and in words under the table.
  await test('a flagged result: badges in its row, the messages under the table; an older file still imports', async () => {
    const r = await page.evaluate((s) => window.playground.run(s), spec('primes', 100_000, 'dynamic-pool', 2, { repetitions: 3 }));
    r.machine.logical_cores = 2;
    const [base, pool] = r.results;
    Object.assign(base, { times: [0.1, 0.15, 0.2], mean: 0.15, stddev: 0.05, median: 0.15, min: 0.1, max: 0.2 });
    const t = 0.15 / 3.94;
    Object.assign(pool, { times: [t, t, t], mean: t, stddev: 0, median: t, min: t, max: t, speedup: 3.94, efficiency: 1.97 });
    for (const x of r.results) {
      delete x.warnings;
      delete x.precision;
      delete x.speedup_ci;
      x.tasks = [];
    }
    writeFileSync(`${ART}/flagged.json`, JSON.stringify(r));
    await page.setInputFiles('#import', `${ART}/flagged.json`);
    await page.waitForSelector('text=imported: flagged.json');
    const set = page.locator('#results tbody.set', { hasText: 'imported: flagged.json' });
    const speedup = set.locator('tr[data-model="dynamic-pool"] td.speedup');
    assert.match(await speedup.locator('.figure').textContent(), /^3\.94 ± \d+\.\d\d$/, 'the interval is computed for an older file');
    const badge = speedup.locator('.badge[data-kind="implausible-speedup"]');
    assert.match(await badge.textContent(), /⚠ implausible-speedup\d+/);
    assert.match(await badge.getAttribute('title'), /implausible speedup: 3\.94x .* 2 logical core/);
    assert.equal(await speedup.locator('.badge[data-kind="baseline-unreliable"]').count(), 1);
    assert.equal(await set.locator('tr[data-model="sequential"] td.mean .badge[data-kind="noisy"]').count(), 1);
    // The same messages in words, numbered as their badges.
    const number = (await badge.locator('sup').textContent()).trim();
    const note = await page.textContent(`#warnings li[value="${number}"]`);
    assert.match(note, /imported: flagged\.json — primes n=100000, dynamic-pool, 2 workers(, chunk 1)?: implausible speedup: 3\.94x/, note);
    assert.match(await page.textContent('#warnings'), /imported: flagged\.json — primes n=100000, sequential, 1 worker: noisy: the 3 repetitions vary by 33\.3%/);
    // No speedup on the page above what its workers and cores allow goes without its badge.
    const unflagged = await page.$$eval('#results tbody.set', (sets) => sets.flatMap((set) => {
      const cores = set.querySelector('tr.set-head').textContent.includes('flagged.json') ? 2 : navigator.hardwareConcurrency;
      return [...set.querySelectorAll('tr[data-model]')]
        .map((tr) => ({ s: parseFloat(tr.querySelector('td.speedup .figure').textContent), w: Number(tr.dataset.workers), badge: !!tr.querySelector('td.speedup .badge[data-kind="implausible-speedup"]') }))
        .filter((x) => x.s > Math.min(x.w, cores) * 1.1 && !x.badge);
    }));
    assert.deepEqual(unflagged, []);
    await page.screenshot({ path: `${ART}/flagged.png`, fullPage: true });
    for (const [w, h] of [[1366, 900], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await set.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ART}/flagged-${w}.png` });
      await page.locator('#warnings').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ART}/flagged-notes-${w}.png` });
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
  });

  await test('"auto" repetitions from the form, with a budget; a bad value says why', async () => {
    await page.goto(`${BASE}#x=${pack(spec('primes', 1_000_000, 'dynamic-pool', 2, { repetitions: 3, warmups: 1 }))}`);
    await ready(page);
    assert.equal(await page.$('input[name=budget_s]'), null, 'no budget with a fixed count');
    await page.fill('input[name=repetitions]', 'many');
    await page.press('input[name=repetitions]', 'Tab');
    assert.match(await page.textContent('.field.invalid .error'), /repetitions must be a whole number from 1 to 1000 or "auto"; you typed 'many'/);
    assert.equal(await page.isDisabled('#run'), true);
    await page.fill('input[name=repetitions]', 'auto');
    await page.press('input[name=repetitions]', 'Tab');
    assert.equal(await page.inputValue('input[name=budget_s]'), '10');
    await page.fill('input[name=budget_s]', '0');
    await page.press('input[name=budget_s]', 'Tab');
    assert.match(await page.textContent('.field.invalid .error'), /the budget must be a number of seconds from 0.1 to 3600; you typed '0'/);
    await page.fill('input[name=budget_s]', '2');
    await page.press('input[name=budget_s]', 'Tab');
    assert.equal(await page.$('.field.invalid'), null);
    // Every text the progress line shows, however briefly.
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const p = document.querySelector('#progress');
        if (p) window.__progress.push(p.textContent);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.click('#run');
    await page.waitForFunction(() => window.__progress.length > 0 && !document.querySelector('#progress'), null, { timeout: 60_000 });
    const progress = await page.evaluate(() => window.__progress);
    assert.ok(progress.some((t) => /run [1-9]\d* of at least \d+/.test(t)), progress.join(' | '));
    const head = await page.textContent('#results tbody.set:first-of-type tr.set-head');
    assert.match(head, /auto repetitions, budget 2 s/, head);
    const reps = await page.$$eval('#results tbody.set:first-of-type tr[data-model]', (trs) => trs.map((t) => Number(t.dataset.reps)));
    assert.equal(reps.length, 2);
    assert.ok(reps.every((n) => n >= 3 && n <= 50), String(reps));
    // The link carries "auto" and the budget; back to a fixed count, the budget field goes.
    await page.click('#copy-link');
    const link = await page.inputValue('#link');
    const other = await context.newPage();
    await other.goto(link);
    await ready(other);
    assert.equal(await other.inputValue('input[name=repetitions]'), 'auto');
    assert.equal(await other.inputValue('input[name=budget_s]'), '2');
    await other.close();
    await page.fill('input[name=repetitions]', '4');
    await page.press('input[name=repetitions]', 'Tab');
    assert.equal(await page.$('input[name=budget_s]'), null);
  });

  // --- charts and timeline ---
  // The sweep charts draw every runtime that ran the sweep, the sequential baseline and each
  // point's interval; Amdahl is fitted only from three or more worker counts.
  const chartSweep = (workers) => ['sweep', '-w', 'mandelbrot', '--n', '600', '-m', 'work-stealing', '-j', workers, '-r', '3', '-f', 'json'];
  await test('charts: the worker sweep draws this browser and native with a legend, the sequential baseline and interval bars; no Amdahl fit from two worker counts', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.evaluate((s) => window.playground.run(s), spec('mandelbrot', 600, 'work-stealing', 2, { repetitions: 3, sweep: { workers: [1, 2] } }));
    writeFileSync(`${ART}/chart-native-2.json`, execFileSync(NATIVE, chartSweep('1,2')));
    await page.setInputFiles('#import', `${ART}/chart-native-2.json`);
    await page.waitForSelector('#speedup-chart svg .series[data-runtime="native"]');
    const legend = await page.$$eval('#speedup-legend .legend-series', (li) => li.map((l) => [l.dataset.runtime, l.textContent]));
    assert.deepEqual(legend.map((l) => l[0]), ['wasm', 'native'], JSON.stringify(legend));
    assert.match(legend[0][1], /^this browser/, legend[0][1]);
    assert.match(legend[1][1], /^native \(imported: chart-native-2\.json\)/, legend[1][1]);
    assert.match(await page.textContent('#speedup-legend .legend-baseline'), /sequential = 1x.*break-even/);
    const shape = await page.evaluate(() => {
      const svg = document.querySelector('#speedup-chart svg');
      const box = svg.getBoundingClientRect();
      const base = svg.querySelector('line.baseline');
      const b = base.getBoundingClientRect();
      const series = [...svg.querySelectorAll('.series')].map((g) => ({
        runtime: g.dataset.runtime,
        points: g.querySelectorAll('.point').length,
        intervals: g.querySelectorAll('line.ci').length,
        titles: [...g.querySelectorAll('.point title')].map((t) => t.textContent),
      }));
      return { svgWidth: box.width, baseWidth: b.width, flat: base.getAttribute('y1') === base.getAttribute('y2'), series, amdahl: svg.querySelectorAll('.amdahl').length };
    });
    assert.ok(shape.flat, 'the baseline is horizontal');
    assert.ok(shape.baseWidth > shape.svgWidth / 2, `the baseline spans the plot: ${shape.baseWidth} of ${shape.svgWidth}`);
    for (const s of shape.series) {
      assert.equal(s.points, 2, `${s.runtime}: a point per worker count`);
      assert.equal(s.intervals, s.points, `${s.runtime}: an interval bar per point`);
      for (const t of s.titles) assert.match(t, /: workers \d: [\d.]+ \(95% interval [\d.]+ to [\d.]+\)$/, t);
    }
    assert.equal(shape.amdahl, 0, 'no Amdahl curve from two worker counts');
    const refused = await page.$$eval('#amdahl-fit .fit-refused', (ps) => ps.map((p) => p.textContent));
    assert.equal(refused.length, 2, JSON.stringify(refused));
    for (const r of refused) assert.match(r, /no Amdahl fit from 2 worker counts: two points fit any serial fraction/, r);
    assert.equal(await page.locator('#amdahl-fit .fit').count(), 0);
    await page.locator('#speedup-chart').screenshot({ path: `${ART}/chart-speedup-two.png` });
  });

  await test('charts: from three worker counts the Amdahl fit is drawn with its range from the intervals', async () => {
    writeFileSync(`${ART}/chart-native-3.json`, execFileSync(NATIVE, chartSweep('1,2,3')));
    await page.setInputFiles('#import', `${ART}/chart-native-3.json`);
    await page.waitForSelector('#speedup-chart svg .series[data-runtime="native"] .point:nth-of-type(3)');
    const fit = await page.textContent('#amdahl-fit .fit');
    assert.match(fit, /^native \(imported: chart-native-3\.json\): Amdahl fit from 3 worker counts: serial fraction \d\.\d{3} \(between \d\.\d{3} and \d\.\d{3} across the 95% intervals\)/, fit);
    assert.equal(await page.locator('#speedup-chart svg .amdahl[data-runtime="native"]').count(), 1);
    assert.equal(await page.locator('#speedup-chart svg .amdahl[data-runtime="wasm"]').count(), 0);
    assert.match(await page.textContent('#amdahl-fit .fit-refused'), /^this browser: no Amdahl fit from 2 worker counts/);
    for (const [w, h] of [[1366, 900], [1024, 768], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      const small = await page.$$eval('#speedup-chart svg text', (ts) => ts.map((t) => [t.textContent, t.getBoundingClientRect().height]).filter(([, h]) => h < 12));
      assert.deepEqual(small, [], `chart text drawn under 12 px at ${w} px wide`);
      await page.locator('section.charts').screenshot({ path: `${ART}/chart-sweep-${w}.png` });
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
  });

  await test('charts: the chunk-size sweep draws the sequential time as the break-even line', async () => {
    await page.evaluate((s) => window.playground.run(s), spec('mandelbrot', 600, 'static-pool', 2, { repetitions: 2, sweep: { chunk_size: [1, 16, 256] } }));
    await page.waitForSelector('#chunk-chart svg line.baseline', { state: 'attached', timeout: 120_000 });
    assert.equal(await page.locator('#chunk-chart svg .series[data-runtime="wasm"] .point').count(), 3);
    assert.equal(await page.locator('#chunk-chart svg .series[data-runtime="wasm"] line.ci').count(), 3);
    assert.match(await page.textContent('#chunk-legend .legend-baseline'), /sequential run time.*break-even/);
    await page.locator('section.charts').screenshot({ path: `${ART}/chart-chunk.png` });
  });

  await test('timeline: readable text, labels beside their rows, a tooltip and keyboard detail for every bar', async () => {
    await page.evaluate((s) => window.playground.run(s), spec('mandelbrot', 600, 'static-pool', 2, { model: { chunk_size: 8 } }));
    await page.waitForFunction(() => /static-pool, 2 workers \(last repetition\), chunk size 8, in this browser/.test(document.querySelector('.timeline h2')?.textContent || ''));
    const geo = await page.evaluate(() => {
      const svg = document.querySelector('#timeline svg');
      const texts = [...svg.querySelectorAll('text')].map((t) => ({ size: parseFloat(getComputedStyle(t).fontSize), height: t.getBoundingClientRect().height, text: t.textContent }));
      const centre = (r) => r.top + r.height / 2;
      const rows = [...svg.querySelectorAll('.row-label')].map((l) => {
        const bar = svg.querySelector(`.bar[data-worker="${l.dataset.worker}"]`);
        const lb = l.getBoundingClientRect();
        return { label: centre(lb), bar: bar ? centre(bar.getBoundingClientRect()) : null, right: lb.right, plot: bar ? bar.getBoundingClientRect().left : null };
      });
      const bars = [...svg.querySelectorAll('.bar')];
      return {
        texts,
        rows,
        bars: bars.length,
        titled: bars.filter((b) => /^task \d+, stage \d+, worker \d+: start [\d.]+ ms, duration [\d.]+ ms, waited [\d.]+ ms/.test(b.querySelector('title')?.textContent || '')).length,
        tabbable: bars.filter((b) => b.getAttribute('tabindex') === '0').length,
      };
    });
    for (const t of geo.texts) {
      assert.ok(t.size >= 12, `text "${t.text}" is ${t.size} px`);
      assert.ok(t.height >= 12, `text "${t.text}" is drawn ${t.height} px high`);
    }
    assert.equal(geo.rows.length, 2, 'a row per worker');
    for (const r of geo.rows) {
      if (r.bar === null) continue;
      assert.ok(Math.abs(r.label - r.bar) <= 2, `label centred on its row: ${r.label} vs ${r.bar}`);
      assert.ok(r.right <= r.plot, 'label beside the row, left of its bars');
    }
    assert.ok(geo.bars > 1);
    assert.equal(geo.titled, geo.bars, 'every bar has a tooltip');
    assert.equal(geo.tabbable, 1, 'the bars are one stop in the Tab order');
    // Tab from the title reaches the first bar; the arrow keys move; the detail box follows.
    await page.click('.timeline h2');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.i), '0');
    const first = await page.textContent('#timeline-detail');
    assert.equal(first, await page.textContent('#timeline .bar[data-i="0"] title'));
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.i), '1');
    const detail = await page.textContent('#timeline-detail');
    assert.match(detail, /^task \d+, stage 0, worker \d+: start [\d.]+ ms, duration [\d.]+ ms, waited [\d.]+ ms, computed [\d.]+ ms(, delivered [\d.]+ ms \(position \d+ in the order received\))?$/, detail);
    assert.equal(detail, await page.textContent('#timeline .bar[data-i="1"] title'));
    assert.equal(await page.getAttribute('#timeline .bar[data-i="1"]', 'tabindex'), '0', 'the focused bar is the Tab stop');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.closest('#timeline') !== null && document.activeElement.classList.contains('bar')), true);
    for (const [w, h] of [[1366, 900], [1024, 768], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.locator('section.timeline').screenshot({ path: `${ART}/timeline-${w}.png` });
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
  });

  await test('charts: a sweep over models draws the speedup of each model, with the baseline and the ideal', async () => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    const models = ['async', 'gil', 'dynamic-pool'];
    const r = await page.evaluate((s) => window.playground.run(s), spec('sleep', 12, 'async', 4, { repetitions: 3, sweep: { models } }));
    assert.deepEqual(r.results.map((x) => [x.model, x.workers]), [['sequential', 1], ...models.map((m) => [m, 4])]);
    for (const x of r.results) assert.equal(x.verified, true, x.model);
    await page.waitForSelector('#models-chart svg .model-bar');
    assert.deepEqual(await page.$$eval('#models-chart svg .model-bar', (b) => b.map((e) => e.dataset.model)), models);
    assert.equal(await page.locator('#models-chart svg path.ci').count(), 3);
    assert.equal(await page.locator('#models-chart svg line.baseline').count(), 1);
    assert.equal(await page.locator('#models-chart svg line.ideal').count(), 1);
    assert.match(await page.textContent('section.charts h2'), /^Sweep: async, gil, dynamic-pool on this browser/);
    assert.match(await page.textContent('#models-chart svg > desc'), /async, 4 workers: \d+\.\d\dx; gil, 4 workers: \d+\.\d\dx; dynamic-pool, 4 workers/);
    await page.locator('section.charts').screenshot({ path: `${ART}/chart-models.png` });
  });

  await test('timeline: the async loop is one lane, its waits drawn as waiting', async () => {
    await page.evaluate((s) => window.playground.run(s), spec('sleep', 12, 'async', 4, { params: { latency_ms: 20 }, baseline: false }));
    await page.waitForFunction(() => /Timeline: async, 4 workers/.test(document.querySelector('.timeline h2')?.textContent || ''));
    const lane = await page.evaluate(() => {
      const svg = document.querySelector('#timeline svg');
      const bars = [...svg.querySelectorAll('.bar')].map((b) => ({ y: b.getAttribute('y'), x: +b.getAttribute('x'), w: +b.getAttribute('width') }));
      return {
        labels: [...svg.querySelectorAll('.row-label')].map((l) => l.textContent),
        ys: [...new Set(bars.map((b) => b.y))],
        bars,
        waits: svg.querySelectorAll('.wait').length,
      };
    });
    assert.deepEqual(lane.labels, ['worker 0'], 'one lane');
    assert.equal(lane.ys.length, 1, 'every bar in that lane');
    assert.equal(lane.bars.length, 12);
    assert.equal(lane.waits, 12, 'each task\'s wait drawn as waiting');
    assert.ok(await page.locator('#timeline-legend .legend-wait').count() === 1, 'the legend explains waiting');
    await page.locator('section.timeline').screenshot({ path: `${ART}/timeline-async.png` });
  });

  // --- fits and speaks ---
  // Boxes of elements against the viewport and against every scrolling box around them: a
  // column scrolled out of its table is as hidden as one past the screen's edge.
  const inView = (p, selector) => p.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    const clips = [{ left: 0, right: window.innerWidth }];
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') clips.push(a.getBoundingClientRect());
    }
    const out = clips.filter((c) => r.left < c.left - 0.5 || r.right > c.right + 0.5);
    return { ok: r.width > 0 && out.length === 0, left: r.left, right: r.right, clips: out.map((c) => [c.left, c.right]) };
  });
  const pageWidth = (p) => p.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
    widest: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5).map((e) => `${e.tagName}.${e.className}#${e.id}`),
  }));
  const runSmall = async (p) => {
    await p.goto('about:blank');
    await p.goto(`${BASE}#x=${pack(spec('primes', 300_000, 'static-pool', 2))}`);
    await ready(p);
    await p.click('#run');
    await p.waitForSelector('#results tr[data-model="static-pool"]', { timeout: 120_000 });
    await p.waitForSelector('#progress', { state: 'detached', timeout: 120_000 });
  };

  await test('fits: no sideways scrolling of the page at 390 px; speedup, efficiency and verified in view at 1024 and 1366 px', async () => {
    const p = await context.newPage();
    await runSmall(p);
    for (const [width, height] of [[1366, 900], [1024, 768], [390, 844]]) {
      await p.setViewportSize({ width, height });
      const w = await pageWidth(p);
      assert.ok(w.scroll <= w.inner, `${width}px: the page is ${w.scroll} px wide: ${w.widest.join(', ')}`);
      for (const cell of ['td.speedup', 'td[data-label=efficiency]', 'td[data-label=verified]']) {
        const box = await inView(p, `#results tr[data-model="static-pool"] ${cell}`);
        assert.ok(box.ok, `${width}px: ${cell} at ${box.left}..${box.right}, clipped by ${JSON.stringify(box.clips)}`);
      }
      const history = await inView(p, '#history tr.history-entry td.best');
      assert.ok(history.ok, `${width}px: the history's best speedup at ${history.left}..${history.right}`);
      const tag = `${width}x${height}`;
      await p.screenshot({ path: `${ART}/fits-${tag}-page.png`, fullPage: true });
      await (await p.$('.lessons')).screenshot({ path: `${ART}/fits-${tag}-lessons.png` });
      await (await p.$('.layout')).screenshot({ path: `${ART}/fits-${tag}-lab.png` });
      await (await p.$('#history')).screenshot({ path: `${ART}/fits-${tag}-history.png` });
    }
    await p.close();
  });

  // A row whose figures are flagged (a badge under the speedup and the mean, an outlier count):
  // a native-runner result with a noisy baseline, so the check does not wait for a busy machine.
  await test('fits: a flagged row (badges, an outlier count) keeps speedup, efficiency and verified in view at 1366 px', async () => {
    const p = await context.newPage();
    await p.setViewportSize({ width: 1366, height: 900 });
    await p.goto(BASE);
    await ready(p);
    await p.setInputFiles('#import', 'tests/e2e/fixtures/flagged-result.json');
    const row = '#results tr[data-model="static-pool"]';
    await p.waitForSelector(row);
    assert.ok(await p.locator(`${row} td.speedup .badge`).count() >= 1, 'the speedup is flagged');
    assert.ok(await p.locator(`${row} td.mean .badge`).count() >= 1, 'the mean is flagged');
    for (const cell of ['td.speedup', 'td[data-label=efficiency]', 'td[data-label=verified]']) {
      const box = await inView(p, `${row} ${cell}`);
      assert.ok(box.ok, `${cell} at ${box.left}..${box.right}, clipped by ${JSON.stringify(box.clips)}`);
    }
    await (await p.$('#results')).screenshot({ path: `${ART}/fits-flagged-1366.png` });
    await p.close();
  });

  await test('refusals give the range in words: 1e6 is a size, -5 and too many workers are refused with the limit', async () => {
    const p = await context.newPage();
    await p.goto(BASE);
    await ready(p);
    await p.selectOption('select[name=workload]', 'primes');
    const label = await p.textContent('label:has(input[name="param.n"]) span');
    assert.match(label, /2 to 10\^9/, label);
    await p.fill('input[name="param.n"]', '1e6');
    await p.press('input[name="param.n"]', 'Tab');
    assert.equal(await p.$('.field.invalid'), null, '1e6 is accepted');
    assert.equal(await p.inputValue('input[name="param.n"]'), '1000000');
    await p.fill('input[name="param.n"]', '-5');
    await p.press('input[name="param.n"]', 'Tab');
    const why = "n must be a whole number from 2 to 10^9 (1e6 is accepted as 1000000); you typed '-5'";
    assert.equal(await p.textContent('.field.invalid .error'), why);
    assert.equal(await p.getAttribute('input[name="param.n"]', 'aria-invalid'), 'true');
    assert.equal(await p.getAttribute('input[name="param.n"]', 'aria-describedby'), 'param.n-error');
    // The run bar says it once, in the same words, without the control's internal name.
    assert.equal(await p.getAttribute('#run', 'title'), why);
    assert.doesNotMatch(await p.textContent('.runbar'), /param\.|primes\.n/);
    await p.fill('input[name="param.n"]', '1234567');
    await p.press('input[name="param.n"]', 'Tab');
    // A typed n survives switching workload and back.
    await p.selectOption('select[name=workload]', 'square');
    await p.selectOption('select[name=workload]', 'primes');
    assert.equal(await p.inputValue('input[name="param.n"]'), '1234567');
    // Workers above the page's limit, shown in the label, are refused with it.
    const workers = await p.textContent('label:has(input[name=workers]) span');
    const max = Number(/1 to (\d+)/.exec(workers)[1]);
    await p.fill('input[name=workers]', String(max + 1));
    await p.press('input[name=workers]', 'Tab');
    assert.equal(await p.textContent('.field.invalid .error'),
      `workers must be a whole number from 1 to ${max} on this machine; you typed '${max + 1}'`);
    assert.equal(await p.isDisabled('#run'), true);
    await p.close();
  });

  await test('keyboard and screen readers: Tab reaches Import, Enter on a row shows its timeline, a live region announces the finished run, Copied after Copy link, no spinner when idle', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    const p = await context.newPage();
    await p.goto(BASE);
    await ready(p);
    assert.equal(await p.$('#spinner'), null, 'no spinner before a run');
    assert.equal(await p.getAttribute('#announce', 'aria-live'), 'polite');
    await runSmall(p);
    assert.equal(await p.$('#spinner'), null, 'no spinner after a run');
    assert.match(await p.textContent('#announce'), /^Run finished: primes n=300000, 2 configurations; best speedup \d+\.\d\dx; answers verified\.$/);
    // The timeline has a text alternative: a title and a description inside its SVG, a group
    // (not an image) because its bars take focus.
    assert.equal(await p.getAttribute('#timeline svg', 'role'), 'group');
    assert.match(await p.textContent('#timeline svg > title'), /^Timeline: static-pool, 2 workers/);
    assert.match(await p.textContent('#timeline svg > desc'), /one bar per task/);
    // Tab from Copy link reaches the file input behind "Import JSON…".
    await p.focus('#copy-link');
    const visited = [];
    for (let i = 0; i < 8 && visited.at(-1) !== 'import'; i++) {
      await p.keyboard.press('Tab');
      visited.push(await p.evaluate(() => document.activeElement.id || document.activeElement.tagName));
    }
    assert.equal(visited.at(-1), 'import', `Tab from Copy link visits ${visited.join(', ')}`);
    // Result rows take focus; Enter selects one.
    const row = '#results tr[data-model="sequential"]';
    assert.equal(await p.getAttribute(row, 'tabindex'), '0');
    assert.equal(await p.$eval(row, (r) => r.classList.contains('selected')), false);
    await p.focus(row);
    await p.keyboard.press('Enter');
    await p.waitForSelector(`${row}.selected`, { timeout: 5_000 });
    await p.click('#copy-link');
    await p.waitForFunction(() => document.querySelector('#copied').textContent === 'Copied', null, { timeout: 5_000 });
    assert.equal(await p.getAttribute('#copied', 'role'), 'status');
    await p.close();
  });

  await test('the sweep chart has a title and its figures in words', async () => {
    const p = await context.newPage();
    await p.goto(`${BASE}#x=${pack(spec('square', 20_000, 'dynamic-pool', 2, { sweep: { workers: [1, 2] } }))}`);
    await ready(p);
    await p.click('#run');
    await p.waitForSelector('#speedup-chart svg > title', { state: 'attached', timeout: 120_000 });
    assert.equal(await p.textContent('#speedup-chart svg > title'), 'Speedup over workers');
    assert.match(await p.textContent('#speedup-chart svg > desc'), /^dynamic-pool, 1 worker: \d+\.\d\dx; dynamic-pool, 2 workers: \d+\.\d\dx$/);
    await p.close();
  });

  await test('axe: no serious or critical accessibility violations in the lessons view, the lab with results and the history, at 1366 and 390 px', async () => {
    // The page forbids inline script; this context lets the test's axe in.
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const p = await ctx.newPage();
    await runSmall(p);
    // With a link made and a field refused, so their parts are checked too.
    await p.click('#copy-link');
    await p.waitForSelector('#link');
    await p.fill('input[name=warmups]', '1000');
    await p.press('input[name=warmups]', 'Tab');
    await p.waitForSelector('.field.invalid');
    await p.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
    const found = [];
    const serious = (sel) => p.evaluate(async (selector) => {
      const r = await window.axe.run(document.querySelector(selector), { resultTypes: ['violations'] });
      return r.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')
        .map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    }, sel);
    for (const [width, height] of [[1366, 900], [390, 844]]) {
      await p.setViewportSize({ width, height });
      for (const view of ['.lessons', '.layout', '#history']) {
        found.push(...(await serious(view)).map((x) => `${width}px ${view}: ${x}`));
      }
    }
    assert.deepEqual(found, []);
    await close(ctx);
  });

  // --- mpi (begin)
  // mpi's ranks are processes that a launcher (mpirun) starts, natively: the page lists the model
  // as native only, says where it runs, shows its Python and refuses to run it; a result file of
  // mpirun's run imports with a lane per rank, labelled with its host.
  await test('mpi: listed as native only with its reason, never run here; an mpirun result imports verified, its lanes labelled with rank and host', async () => {
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(BASE);
    await ready(page);
    const option = await page.$eval('select[name=model] option[value=mpi]', (o) => ({ disabled: o.disabled, text: o.textContent }));
    assert.deepEqual(option, { disabled: false, text: 'mpi (native only)' });
    // The one model this isolated page cannot run.
    const off = await page.$$eval('select[name=model] option', (os) => os.filter((o) => o.disabled || /native only/.test(o.textContent)).map((o) => o.value));
    assert.deepEqual(off, ['mpi']);
    assert.equal(await page.locator('#model-unavailable').count(), 0, 'no note for a model the page runs');
    const before = await page.inputValue('select[name=model]');
    await page.selectOption('select[name=model]', 'mpi');
    const reason = 'runs natively under an MPI launcher, not in a browser: mpirun -np 2 native-runner run ... -m mpi';
    assert.equal(await page.textContent('#model-unavailable'), `mpi cannot run in this page: it ${reason}`);
    assert.equal(await page.isDisabled('#run'), true);
    assert.equal(await page.getAttribute('#run', 'title'), `mpi: ${reason}`);
    assert.match(await page.textContent('.runbar'), /mpi: runs natively under an MPI launcher/);
    const python = await page.textContent('section.python pre');
    assert.match(python, /^# mpiexec -n \d+ python script\.py\nfrom mpi4py import MPI/, python);
    assert.match(python, /comm\.scatter/, python);
    await page.locator('.controls').screenshot({ path: `${ART}/mpi-chosen.png` });
    // A script's run, and one with mpi among the models of a sweep, are refused with the reason
    // before anything runs; the engine runs the next experiment.
    const refused = (s) => page.evaluate((x) => window.playground.run(x).then(() => 'resolved', (e) => e.message), s);
    assert.equal(await refused(spec('primes', 100_000, 'mpi', 2)), `mpi ${reason}`);
    assert.equal(await refused(spec('primes', 100_000, 'dynamic-pool', 2, { sweep: { models: ['dynamic-pool', 'mpi'] } })), `mpi ${reason}`);
    const ok = await page.evaluate((x) => window.playground.run(x), spec('primes', 100_000, 'dynamic-pool', 2));
    assert.equal(ok.results.at(-1).verified, true);
    // A link to an mpi experiment opens it, with the same note and Run held.
    await page.goto(`${BASE}#x=${pack(spec('mandelbrot', 400, 'mpi', 3, { model: { schedule: 'static' } }))}`);
    await page.waitForFunction(() => document.querySelector('select[name=model]').value === 'mpi');
    assert.match(await page.textContent('#model-unavailable'), /^mpi cannot run in this page/);
    assert.equal(await page.isDisabled('#run'), true);
    // The result of `mpirun -np 3 native-runner run -w mandelbrot --n 400 -m mpi -r 3 --format json`.
    const fixture = JSON.parse(readFileSync('tests/e2e/fixtures/mpi-result.json', 'utf8'));
    const hosts = fixture.results.find((r) => r.model === 'mpi').hosts;
    await page.setInputFiles('#import', 'tests/e2e/fixtures/mpi-result.json');
    await page.waitForSelector('text=imported: mpi-result.json');
    const set = page.locator('#results tbody.set', { hasText: 'imported: mpi-result.json' });
    assert.match(await set.locator('tr.set-head').textContent(), /^imported: mpi-result\.json — mandelbrot n=400, mpi schedule=dynamic \(3 repetitions, 1 warm-up\)$/);
    const row = set.locator('tr[data-model="mpi"]');
    assert.equal(await row.getAttribute('data-workers'), '3');
    assert.equal(await row.locator('td[data-label="verified"]').textContent(), '✓ verified');
    assert.equal(await row.locator('td.used').textContent(), '3 of 3');
    await row.click();
    await page.waitForFunction(() => /^Timeline: mpi, 3 workers/.test(document.querySelector('.timeline h2')?.textContent || ''));
    assert.match(await page.textContent('.timeline .hint'), /a row is an MPI rank/);
    const lanes = await page.$$eval('#timeline .row-label', (ls) => ls.map((l) => ({ text: l.childNodes[0].textContent, host: l.dataset.host, worker: Number(l.dataset.worker) })));
    // Ranks grouped by host, the host named on its first lane.
    const order = [...hosts.keys()].sort((a, b) => hosts.indexOf(hosts[a]) - hosts.indexOf(hosts[b]) || a - b);
    assert.deepEqual(lanes, order.map((w, i) => ({
      text: i === 0 || hosts[order[i - 1]] !== hosts[w] ? `rank ${w} · ${hosts[w]}` : `rank ${w}`,
      host: hosts[w],
      worker: w,
    })));
    assert.equal(lanes[0].text, 'rank 0 · vm');
    assert.equal(await page.locator('#timeline .bar').count(), 400, 'a bar per task of the last repetition');
    for (const [w, h] of [[1366, 900], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await set.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ART}/mpi-imported-${w}.png` });
      await page.locator('.timeline').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ART}/mpi-timeline-${w}.png` });
      await page.locator('.controls').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ART}/mpi-controls-${w}.png` });
    }
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.selectOption('select[name=model]', before);
  });
  // --- mpi (end)

  await test('no uncaught errors in the page', async () => {
    assert.deepEqual(consoleErrors, []);
  });
  figures.done = true;
 }

 if (PHASE === 'hostile') {
  // Links from strangers, hostile markup, limits, injected faults.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const injected = (p) => p.evaluate(() => ({
    xss: window.__xss,
    imgs: document.querySelectorAll('img[src=x]').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__xss')).length,
  }));
  const open = async (fragment) => {
    await page.goto('about:blank');
    await page.goto(`${BASE}${fragment}`);
    await ready(page);
    await page.waitForSelector('#notice', { timeout: 5_000 }).catch(() => {});
    return (await page.textContent('#notice').catch(() => null)) || '';
  };

  await test('CSP: the page runs with no violation, and inline script is refused', async () => {
    await page.goto(BASE);
    await ready(page);
    const r = await page.evaluate((s) => window.playground.run(s), spec('mandelbrot', 100, 'work-stealing', 2));
    assert.equal(r.results[1].verified, true);
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    await page.evaluate((x) => document.body.insertAdjacentHTML('beforeend', x), '<img src=x onerror="window.__xss=1">');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'the inline handler ran');
    assert.ok((await page.evaluate(() => window.__csp)).some((v) => v.startsWith('script-src')));
  });

  await test('links carrying markup and script in every string field inject nothing', async () => {
    const base = spec('counter', 100, 'shared-state', 2, { params: { variant: 'mutex' }, model: { sync: 'lock' } });
    const variants = {
      'workload.name': (s) => { s.workload.name = XSS; },
      'model.name': (s) => { s.model.name = XSS; },
      'param key': (s) => { s.workload.params[XSS] = 1; },
      'param value': (s) => { s.workload.params.variant = XSS; },
      'model.sync': (s) => { s.model.sync = XSS; },
      'model.order': (s) => { s.model = { name: 'dynamic-pool', order: XSS }; },
      'fault.kind': (s) => { s.model.fault = { task: 1, kind: XSS }; },
      'unknown field': (s) => { s[XSS] = XSS; },
      'schema_version': (s) => { s.schema_version = XSS; },
    };
    for (const [field, mutate] of Object.entries(variants)) {
      const s = JSON.parse(JSON.stringify(base));
      mutate(s);
      const notice = await open(`#x=${pack(s)}`);
      assert.match(notice, /cannot be opened/, `${field}: ${notice}`);
      assert.deepEqual(await injected(page), { xss: undefined, imgs: 0, scripts: 0 }, field);
    }
    // A valid experiment whose attached results carry markup in their strings: shown as text.
    const exp = spec('square', 1000, 'static-pool', 2);
    const res = await page.evaluate((s) => window.playground.run(s), exp);
    for (const r of res.results) {
      r.answer.summary = XSS;
      r.verification = XSS;
      r.tasks = [];
    }
    await open(`#x=${pack(exp)}&r=${pack(res)}`);
    await page.waitForSelector('text=window.__xss', { timeout: 5_000 });
    assert.deepEqual(await injected(page), { xss: undefined, imgs: 0, scripts: 0 }, 'results');
    await page.screenshot({ path: `${ART}/hostile-results.png`, fullPage: true });
  });

  await test('malformed, truncated, oversized and future-version links say what is wrong', async () => {
    const good = pack(spec('primes', 1000, 'static-pool', 2));
    const cases = [
      ['#x=%%%', /the link is damaged: it holds characters a playground link never has/],
      [`#x=${good.slice(0, good.length / 2)}`, /the link is damaged/],
      [`#x=${pack('not json')}`, /JSON|json/],
      [`#x=${'A'.repeat(20_000)}`, /limit is 16384/],
      [`#x=${pack({ ...spec('primes', 1000, 'static-pool', 2), schema_version: 99 })}`, /version 99/],
      [`#x=${pack('{"schema_version":1,"workload":{"name":"primes","n":10')}`, /JSON|json/],
    ];
    for (const [fragment, want] of cases) {
      const notice = await open(fragment);
      assert.match(notice, /cannot be opened/, fragment.slice(0, 40));
      assert.match(notice, want, `${fragment.slice(0, 40)}: ${notice}`);
      // Plain words: never the decoder's own detail.
      assert.doesNotMatch(notice, /base64|symbol|offset \d/, notice);
    }
  });

  await test('huge n, repetitions or workers in a link are refused with the limit, before anything runs', async () => {
    const cases = [
      [spec('primes', 1e15, 'static-pool', 2), /n/],
      [spec('primes', 1000, 'static-pool', 2, { repetitions: 1e9 }), /repetitions/],
      [spec('primes', 1000, 'static-pool', 5000), /workers/],
    ];
    for (const [s, want] of cases) {
      const notice = await open(`#x=${pack(s)}`);
      assert.match(notice, /cannot be opened/);
      assert.match(notice, want, notice);
      assert.match(notice, /must be \d+ to \d+/, notice);
      assert.equal(await page.$('#progress'), null, 'nothing runs');
    }
  });

  await test('a run estimated above 30 s asks first: Cancel runs nothing, Run anyway runs it', async () => {
    await page.goto(`${BASE}#x=${pack(spec('primes', 1_000_000_000, 'dynamic-pool', 2, { repetitions: 3 }))}`);
    await ready(page);
    await page.click('#run');
    const question = await page.textContent('#confirm', { timeout: 5_000 });
    assert.match(question, /estimated to take about [0-9.]+ (min|h) on this machine \(6 runs\)/, question);
    assert.equal(await page.$('#progress'), null, 'nothing runs before the answer');
    await page.screenshot({ path: `${ART}/confirm.png` });
    await page.click('#confirm-cancel');
    assert.equal(await page.$('#confirm'), null);
    assert.equal(await page.$('#progress'), null, 'Cancel runs nothing');
    // A small experiment runs without a question.
    await page.fill('input[name="param.n"]', '100000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    await page.waitForSelector('#progress', { state: 'detached', timeout: 60_000 });
    assert.equal(await page.$('#confirm'), null);
    await page.fill('input[name="param.n"]', '1000000000');
    await page.press('input[name="param.n"]', 'Tab');
    await page.click('#run');
    await page.click('#confirm-run');
    await page.waitForSelector('#progress');
    await page.waitForTimeout(500);
    await page.click('#stop');
    await page.waitForSelector('#progress', { state: 'detached', timeout: 5_000 });
    assert.match(await page.textContent('#notice'), /run stopped/);
  });

  await test('an injected fault fails the run with its reason in every model, and the next run works', async () => {
    await page.goto(BASE);
    await ready(page);
    for (const model of PAGE_MODELS) {
      const kind = model === 'process-pool' ? ['panic', 'exit'] : ['panic'];
      for (const k of kind) {
        const s = spec('square', 200, model, model === 'sequential' ? 1 : 2, { model: { fault: { task: 7, kind: k } }, baseline: false });
        const err = await page.evaluate((x) => window.playground.run(x).then(() => 'resolved', (e) => e.message), s);
        assert.notEqual(err, 'resolved', `${model} ${k}`);
        assert.match(err, /task 7 of stage 0 panicked: fault injected|worker process died/, `${model} ${k}: ${err}`);
        await ready(page);
        const ok = await page.evaluate((x) => window.playground.run(x), spec('square', 200, model, model === 'sequential' ? 1 : 2));
        assert.equal(ok.results.at(-1).verified, true, `${model}: next run`);
      }
    }
  });

  await test('a stuck task: Stop keeps the partial timeline, labelled partial, in every model', async () => {
    const stuck = (model) => spec('sleep', 40, model, model === 'sequential' ? 1 : 2, {
      params: { latency_ms: 20, jitter_ms: 0 },
      model: { fault: { task: 7, kind: 'hang' } },
    });
    await page.goto(`${BASE}#x=${pack(stuck('dynamic-pool'))}`);
    await ready(page);
    await page.click('#run');
    await page.waitForSelector('#progress');
    // The baseline takes 0.8 s; then task 7 of the pool run never returns.
    await page.waitForTimeout(2500);
    const t0 = Date.now();
    await page.click('#stop');
    await page.waitForSelector('#progress', { state: 'detached', timeout: 5_000 });
    console.log(`     a stuck run stopped in ${Date.now() - t0} ms`);
    const notice = await page.textContent('#notice');
    assert.match(notice, /run stopped: what it did is kept below, marked partial/, notice);
    const partial = await page.textContent('#results tr.partial');
    assert.match(partial, /PARTIAL RESULT \(stopped\)/, partial);
    assert.match(partial, /stopped: dynamic-pool, 2 workers, run 1 of 1, [0-9.]+ s in, 39 tasks finished/, partial);
    assert.match(partial, /still running: task 7 of stage 0 on worker [01], running for [0-9.]+ s/, partial);
    // The baseline finished and is whole.
    assert.ok((await page.textContent('#results')).includes('40 waits, 800.000 ms in total'));
    const title = await page.textContent('.timeline h2');
    assert.match(title, /Timeline: dynamic-pool, 2 workers \(PARTIAL: run 1 of 1, stopped/, title);
    const svg = await page.innerHTML('#timeline');
    assert.ok((svg.match(/<rect/g) || []).length >= 40, 'finished tasks drawn');
    assert.ok(/fill="#C82828"/i.test(svg), 'the stuck task drawn in red');
    await page.screenshot({ path: `${ART}/partial.png`, fullPage: true });
    const entry = await page.textContent('#history .history-entry');
    assert.match(entry, /stopped \(partial result kept\)/, entry);
    // Every model, through the page's interface: stopped mid-run, the stuck task in flight.
    for (const model of PAGE_MODELS) {
      await ready(page);
      const r = await page.evaluate(async (x) => {
        const run = window.playground.run(x);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        window.playground.stop();
        return run;
      }, stuck(model));
      assert.equal(r.partial.reason, 'stopped', model);
      const s = r.partial.stopped;
      assert.equal(s.model, model);
      assert.ok(s.in_flight.some((f) => f.task <= 7 && 7 < f.end), `${model}: ${JSON.stringify(s.in_flight)}`);
      assert.ok(s.tasks_done >= 1 && s.tasks_done < 40, `${model}: ${s.tasks_done}`);
      assert.equal(s.tasks.length, s.tasks_done, model);
      assert.ok(!s.tasks.some((t) => t.task === 7), model);
      assert.equal(r.results.length, model === 'sequential' ? 0 : 1, model);
      await ready(page);
      const ok = await page.evaluate((x) => window.playground.run(x), spec('square', 200, model, model === 'sequential' ? 1 : 2));
      assert.equal(ok.results.at(-1).verified, true, `${model}: next run`);
    }
  });

  await test('a million tiny tasks through every model in the page, timeline off, in bounded memory', async () => {
    await page.goto(BASE);
    await ready(page);
    const engineMemory = () => {
      const w = page.workers().find((x) => x.url().endsWith('/engine-worker.js'));
      return w.evaluate(() => self.engineMemoryBytes());
    };
    const MiB = 1024 * 1024;
    const n = 1_000_000;
    const N = BigInt(n);
    const expected = ((N - 1n) * N * (2n * N - 1n) / 6n).toString();
    const start = await engineMemory();
    figures.million_tasks = { engine_memory_at_start_mib: start / MiB };
    for (const model of PAGE_MODELS) {
      const t0 = Date.now();
      const r = await page.evaluate((x) => window.playground.run(x),
        spec('square', n, model, model === 'sequential' ? 1 : 2, { baseline: false, timeline: false }));
      const ms = Date.now() - t0;
      const res = r.results[0];
      assert.equal(res.verified, true, `${model}: ${res.verification}`);
      assert.ok(res.answer.summary.includes(expected), `${model}: ${res.answer.summary}`);
      assert.equal(res.tasks.length, 0, `${model}: no records with the timeline off`);
      assert.equal(res.worker_stats.reduce((a, w) => a + w.tasks, 0), n, `${model}: every task counted once`);
      const mem = await engineMemory();
      figures.million_tasks[model] = { wall_ms: ms, engine_memory_mib: mem / MiB };
      console.log(`     ${model}: 10^6 tasks in ${ms} ms, engine memory ${(mem / MiB).toFixed(0)} MiB`);
    }
    // The memory only grows: its size now is the peak of every run above. Outputs are 10^6
    // numbers; a timeline would add 64 bytes a task (and 32 more in the journal).
    const peak = await engineMemory();
    assert.ok(peak < 512 * MiB, `engine memory ${peak / MiB} MiB`);
    // The control: timeline off from the page itself, and the chart says why it is empty.
    await page.goto(`${BASE}#x=${pack(spec('square', n, 'static-pool', 2, { repetitions: 1 }))}`);
    await ready(page);
    await page.selectOption('select[name=timeline]', 'off');
    await page.click('#run');
    await page.waitForSelector('#progress', { state: 'detached', timeout: 120_000 });
    const rows = await page.$$eval('#results tbody.set:first-of-type tr:not(.set-head)', (trs) => trs.map((t) => t.textContent));
    assert.equal(rows.length, 2, rows.join(' | '));
    assert.ok(rows.every((t) => t.includes('verified')), rows.join(' | '));
    assert.match(await page.textContent('.timeline'), /nor runs with the timeline off/);
    assert.match(await page.evaluate(() => location.hash), /^#x=/);
  });

  await test('the history keeps runs across a reload, marks a run cut off by a reload, and reopens them', async () => {
    await page.goto(BASE);
    await ready(page);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await ready(page);
    await page.goto(`${BASE}#x=${pack(spec('primes', 200_000, 'dynamic-pool', 2, { repetitions: 1 }))}`);
    await ready(page);
    await page.click('#run');
    await page.waitForSelector('#history .history-entry >> text=done', { timeout: 60_000 });
    // A long run (25 s: below the question asked before longer ones), then the page goes away
    // mid-run.
    await page.goto(`${BASE}#x=${pack(spec('sleep', 250, 'sequential', 1, { params: { latency_ms: 100 } }))}`);
    await ready(page);
    await page.click('#run');
    await page.waitForSelector('#progress');
    await page.reload();
    await ready(page);
    const rows = await page.$$eval('#history .history-entry', (trs) => trs.map((tr) => tr.textContent));
    assert.equal(rows.length, 2, rows.join(' | '));
    assert.match(rows[0], /sleep n=250.*interrupted/, rows[0]);
    assert.match(rows[1], /primes n=200000.*dynamic-pool x2.*done/, rows[1]);
    await page.click('#history .history-entry:nth-child(2) .open-history');
    assert.equal(await page.inputValue('select[name=workload]'), 'primes');
    assert.ok((await page.textContent('.results')).includes('17984 primes below 200000'));
    await page.screenshot({ path: `${ART}/history.png`, fullPage: true });
  });

  await test('no uncaught errors in the hostile phase', async () => {
    assert.deepEqual(pageErrors, []);
  });
  await context.close();
 }

 if (PHASE === 'lessons') {
  // The page opens on the lessons: a card per claim, run from the card, judged in the page.
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(BASE);
  await ready(page);
  const LESSON_IDS = await page.evaluate(() => window.playground.lessons().map((l) => l.id));

  await test('the landing view: 15 lesson cards above the lab, and playground.lessons() lists them', async () => {
    const list = await page.evaluate(() => window.playground.lessons());
    assert.equal(list.length, 15);
    for (const l of list) {
      assert.ok(l.id && l.claim && l.python && l.explanation, JSON.stringify(l));
    }
    const cards = await page.$$eval('#lessons .lesson-card', (cs) => cs.map((c) => c.dataset.lesson));
    assert.deepEqual(cards, list.map((l) => l.id));
    const lessonsTop = (await page.locator('#lessons').boundingBox()).y;
    const labTop = (await page.locator('#lab').boundingBox()).y;
    assert.ok(lessonsTop < labTop, 'the lessons come before the lab');
    assert.ok(lessonsTop < 300, `the lessons start in the first screen (${lessonsTop})`);
    await page.screenshot({ path: `${ART}/lessons-1366.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${ART}/lessons-390.png` });
    // No card is wider than the phone's screen.
    const widest = await page.$$eval('#lessons .lesson-card', (cs) => Math.max(...cs.map((c) => c.getBoundingClientRect().right)));
    assert.ok(widest <= 390, `a card reaches ${widest} px on a 390 px screen`);
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  const verdicts = {};
  for (const id of ['gil-io', 'async-io', 'gil-cpu']) {
    await test(`lesson ${id} runs from its card: a verdict badge and a sentence`, async () => {
      const card = `#lesson-${id}`;
      await page.click(`${card} .run-lesson`);
      // One run at a time: every Run waits while the lesson runs.
      await page.waitForSelector(`${card} .lesson-progress`, { timeout: 10_000 });
      const other = LESSON_IDS.find((x) => x !== id);
      assert.equal(await page.isDisabled(`#lesson-${other} .run-lesson`), true, 'other lessons wait');
      assert.equal(await page.isDisabled('#run'), true, 'the lab waits');
      await page.waitForSelector(`${card} .verdict-line[data-side="this browser"] .verdict-badge`, { timeout: 180_000 });
      const verdict = await page.getAttribute(`${card} .verdict-line .verdict-badge`, 'data-verdict');
      const words = await page.textContent(`${card} .verdict-line .verdict-badge`);
      const sentence = (await page.textContent(`${card} .verdict-line .sentence`)).trim();
      assert.ok(['holds', 'does-not-hold', 'inconclusive'].includes(verdict), verdict);
      assert.ok(words.includes(verdict.replaceAll('-', ' ')), `the verdict in words: ${words}`);
      assert.ok(sentence.length > 20, `a sentence: ${sentence}`);
      if (id !== 'gil-cpu') assert.notEqual(verdict, 'does-not-hold', `${id}: ${sentence}`);
      verdicts[id] = verdict;
      console.log(`     ${id}: ${verdict}: ${sentence}`);
      await page.waitForFunction((id) => !document.querySelector(`#lesson-${id} .lesson-progress`), id);
      assert.equal(await page.isDisabled(`#lesson-${id} .run-lesson`), false, 'Run is back');
    });
  }
  figures.lesson_verdicts = verdicts;

  await test('a run lesson\'s card, its link, and runLesson from a script', async () => {
    await page.locator('#lesson-gil-io').scrollIntoViewIfNeeded();
    await page.locator('#lesson-gil-io').screenshot({ path: `${ART}/lesson-run.png` });
    await page.click('#lesson-gil-io .copy-link');
    const link = await page.inputValue('#lesson-gil-io input.link');
    assert.ok(link.endsWith(`#lesson=gil-io&v=${verdicts['gil-io']}`), link);
    const r = await page.evaluate(() => window.playground.runLesson('async-io'));
    assert.equal(r.id, 'async-io');
    assert.ok(['holds', 'inconclusive'].includes(r.verdict), `${r.verdict}: ${r.sentence}`);
    assert.ok(r.results.length >= 1 && r.results[0].results.length >= 1);
    assert.equal(await page.getAttribute('#lesson-async-io .verdict-line .verdict-badge', 'data-verdict'), r.verdict);
    const bad = await page.evaluate(() => window.playground.runLesson('no-such-lesson').then(() => 'resolved', (e) => e.message));
    assert.match(bad, /no lesson called 'no-such-lesson'/);
    // The deadlock lesson in the page: the naive run comes back with its cycle, judged as data.
    const d = await page.evaluate(() => window.playground.runLesson('deadlock'));
    assert.ok(['holds', 'inconclusive'].includes(d.verdict), `${d.verdict}: ${d.sentence}`);
    if (d.verdict === 'holds') {
      assert.equal(d.results[0].error.kind, 'deadlock');
      assert.match(d.sentence, /deadlocked [0-9.]+ ms in: worker \d holds fork \d/);
    }
    assert.equal(await page.getAttribute('#lesson-deadlock .verdict-line .verdict-badge', 'data-verdict'), d.verdict);
  });

  await test('open in the lab: the lesson\'s experiment in the controls, its results with the breakdown bars', async () => {
    await page.click('#lesson-gil-cpu .open-lab');
    assert.equal(await page.inputValue('select[name=model]'), 'gil');
    await page.waitForSelector('#results tr[data-model="gil"] td.breakdown .bd-bar');
    await page.waitForSelector('#breakdown-legend');
    const title = await page.getAttribute('#results tr[data-model="gil"] td.breakdown', 'title');
    assert.match(title, /compute [\d.]+ (s|ms|µs) \(\d+%\)/, title);
    const text = await page.textContent('#results tr[data-model="gil"] td.breakdown .bd-text');
    assert.match(text, /\d+%/, text);
    const widths = await page.$$eval('#results tr[data-model="gil"] td.breakdown .bd-bar', (bars) => bars[0].querySelectorAll('.bd').length);
    assert.ok(widths >= 1, 'the bar has parts');
    await page.locator('#results').scrollIntoViewIfNeeded();
    await page.locator('#results').screenshot({ path: `${ART}/breakdown.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#results tr[data-model="gil"] td.breakdown').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ART}/breakdown-390.png` });
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  await test('a run with the timeline off shows no breakdown for its rows', async () => {
    const r = await page.evaluate((s) => window.playground.run(s), spec('primes', 100_000, 'dynamic-pool', 2, { timeline: false }));
    assert.equal(r.results[1].breakdown ?? null, null);
    const cells = await page.$$eval('#results tbody:first-of-type tr[data-model] td.breakdown', (tds) => tds.map((td) => td.innerHTML));
    assert.ok(cells.length >= 2 && cells.every((c) => c === ''), JSON.stringify(cells));
  });

  await test('a lesson link in a fresh browser focuses that card with the sender\'s verdict; a bad one says why', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const p = await fresh.newPage();
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${BASE}#lesson=async-io&v=holds`);
    await p.waitForFunction(() => document.activeElement && document.activeElement.id === 'lesson-async-io', null, { timeout: 30_000 });
    const sender = await p.textContent('#lesson-async-io .sender');
    assert.match(sender, /the sender's machine: .*holds/, sender);
    const box = await p.locator('#lesson-async-io').boundingBox();
    assert.ok(box.y >= 0 && box.y < 900, `the card is in view (${box.y})`);
    await p.screenshot({ path: `${ART}/lesson-link.png` });
    await p.goto(`${BASE}#lesson=no-such-lesson`);
    await p.reload();
    await p.waitForSelector('#lesson-notice');
    assert.match(await p.textContent('#lesson-notice'), /no lesson called 'no-such-lesson'/);
    // Experiment links keep working.
    await p.goto(`${BASE}#x=${pack(spec('sleep', 12, 'async', 3))}`);
    await p.reload();
    await p.waitForFunction(() => document.querySelector('select[name=model]')?.value === 'async');
    await fresh.close();
  });

  await test('native-runner lessons --quick --python: every lesson has a verdict, none of the core claims is refuted, and CPython agrees on the GIL', async () => {
    const t0 = Date.now();
    const out = JSON.parse(execFileSync(NATIVE, ['lessons', '--quick', '--python', '--format', 'json'], { timeout: 500_000, maxBuffer: 1 << 30 }).toString());
    const byId = Object.fromEntries(out.lessons.map((l) => [l.id, l]));
    assert.deepEqual(Object.keys(byId).sort(), [...LESSON_IDS].sort());
    for (const l of out.lessons) {
      assert.ok(['holds', 'does-not-hold', 'inconclusive'].includes(l.verdict), `${l.id}: ${l.verdict}`);
      assert.ok(l.sentence.length > 0, l.id);
    }
    const core = ['gil-cpu', 'gil-io', 'processes-cpu', 'async-io', 'async-cpu', 'chunksize', 'imbalance', 'race', 'amdahl', 'deadlock'];
    const refuted = core.filter((id) => byId[id].verdict === 'does-not-hold').map((id) => `${id}: ${byId[id].sentence}`);
    const held = out.lessons.filter((l) => l.verdict === 'holds').length;
    figures.native_lessons = Object.fromEntries(out.lessons.map((l) => [l.id, l.verdict]));
    // Real CPython beside us: the lessons with a Python side, judged by the same predicates.
    const py = out.lessons.filter((l) => l.cpython);
    assert.ok(py.length >= 9, `${py.length} lessons ran in CPython`);
    for (const l of py) {
      assert.match(l.cpython.interpreter, /^CPython 3\./, l.id);
      assert.doesNotMatch(l.cpython.sentence, /could not run/, `${l.id}: ${l.cpython.sentence}`);
    }
    figures.cpython_lessons = Object.fromEntries(py.map((l) => [l.id, l.cpython.verdict]));
    const pyRefuted = ['gil-cpu', 'gil-io', 'async-io', 'async-cpu', 'order']
      .filter((id) => byId[id].cpython.verdict === 'does-not-hold').map((id) => `CPython ${id}: ${byId[id].cpython.sentence}`);
    console.log(`     native lessons: ${held} of ${out.lessons.length} held, ${out.lessons.filter((l) => l.verdict === 'inconclusive').length} inconclusive; in CPython ${py.filter((l) => l.cpython.verdict === 'holds').length} of ${py.length} held (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    for (const l of out.lessons) console.log(`       ${l.id}: ${l.verdict}${l.cpython ? `; ${l.cpython.interpreter}: ${l.cpython.verdict}` : ''}`);
    assert.deepEqual(refuted, []);
    assert.deepEqual(pyRefuted, []);
  });

  await test('no uncaught errors in the lessons phase', async () => {
    assert.deepEqual(pageErrors, []);
  });
  await context.close();
 }

 if (PHASE === 'plain') {
  // A host that cannot set headers, with service workers blocked: the banner, and sequential runs.
  const plain = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1400, height: 900 } });
  const p2 = await plain.newPage();
  await p2.goto(PLAIN);
  await ready(p2);
  await test('without isolation headers: a banner, threaded models disabled, sequential still runs', async () => {
    assert.equal(await p2.evaluate(() => crossOriginIsolated), false);
    await p2.waitForSelector('#isolation-banner');
    await p2.waitForSelector('#native-absent');
    const disabled = await p2.$eval('select[name=model] option[value=work-stealing]', (o) => o.disabled);
    assert.equal(disabled, true);
    const r = await p2.evaluate((s) => window.playground.run(s), spec('primes', 100_000, 'sequential', 1));
    assert.equal(r.results[0].verified, true);
    const a = await p2.evaluate((s) => window.playground.run(s), spec('sleep', 10, 'async', 5));
    assert.equal(a.results[1].verified, true);
    await p2.screenshot({ path: `${ART}/not-isolated.png`, fullPage: true });
  });
  await test('without threads a lesson on threads says it could not run here', async () => {
    const r = await p2.evaluate(() => window.playground.runLesson('gil-cpu'));
    assert.equal(r.verdict, 'inconclusive');
    assert.match(r.sentence, /could not run here: .*needs threads/, r.sentence);
    assert.equal(await p2.getAttribute('#lesson-gil-cpu .verdict-line .verdict-badge', 'data-verdict'), 'inconclusive');
  });
  // --- Be the scheduler
  // The scheduler needs no threads, so it is checked here, on the plain host, in a context of its
  // own (clipboard allowed, and axe let in past the page's script policy).
  {
    const sctx = await browser.newContext({
      serviceWorkers: 'block', viewport: { width: 1366, height: 900 }, bypassCSP: true,
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const sp = await sctx.newPage();
    const schedErrors = [];
    sp.on('pageerror', (e) => schedErrors.push(String(e)));
    await sp.goto(PLAIN);
    // The lab above settles first, so nothing moves the section while it is clicked.
    await ready(sp);
    await sp.waitForSelector('#scheduler .sched-run');
    // What the section shows, in words: the state a link must bring back.
    const shown = (p) => p.evaluate(() => {
      const all = (sel) => [...document.querySelectorAll(`#scheduler ${sel}`)].map((e) => e.textContent);
      return {
        program: document.querySelector('select[name=sched-program]').value,
        threads: document.querySelector('select[name=sched-threads]').value,
        shared: all('.sched-shared dd'),
        registers: all('.sched-register'),
        current: all('.sched-steps li.current code'),
        done: document.querySelectorAll('#scheduler .sched-steps li.done').length,
        buttons: [...document.querySelectorAll('#scheduler .sched-run')]
          .map((b) => `${b.textContent}${b.getAttribute('aria-disabled') === 'true' ? ' (disabled)' : ''}`),
        waits: all('.sched-wait'),
        status: document.querySelector('#sched-status')?.textContent ?? null,
        narration: all('.sched-narration li'),
        reached: document.querySelector('#scheduler .sched-outcomes li.reached')?.dataset.outcome ?? null,
      };
    });
    const hash = (p) => decodeURIComponent(new URL(p.url()).hash);
    const LOST = '#explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0.1';

    await test('be the scheduler, by mouse: 2 threads x 1 increment, T0 T1 T0 T1 ends at x = 1; the table says 4 of 6 and 2 of 6', async () => {
      assert.equal(await sp.inputValue('select[name=sched-program]'), 'counter');
      assert.equal(hash(sp), '', 'the address is left alone until the learner acts');
      assert.match(await sp.textContent('#scheduler .sched-total'), /6 schedules in all$/);
      const shares = await sp.$$eval('#scheduler .sched-outcomes li', (ls) => ls.map((l) => [l.dataset.outcome, l.querySelector('.share').textContent]));
      assert.deepEqual(shares, [['1', '4 of 6 schedules (67%) end with x = 1'], ['2', '2 of 6 schedules (33%) end with x = 2']]);
      // Every counter schedule has the same length: a witness is one way, not "the shortest".
      const ways = await sp.$$eval('#scheduler .sched-outcomes li .witness', (ls) => ls.map((l) => l.textContent));
      assert.deepEqual(ways, ['one way to get here: T0, T1, T0, T1', 'one way to get here: T0, T0, T1, T1']);
      assert.match(await sp.textContent('#sched-explain'), /^r is each thread's own register, a local copy: load r <- x copies the shared x into it, and store x <- r \+ 1 writes it back plus one; if another thread stores between the two, an update is lost\.$/);
      assert.deepEqual((await shown(sp)).buttons, ['Run T0: load r <- x', 'Run T1: load r <- x']);
      await sp.click('#scheduler .sched-run[data-thread="0"]');
      await sp.click('#scheduler .sched-run[data-thread="1"]');
      let s = await shown(sp);
      assert.deepEqual(s.registers, ['r0 = 0', 'r1 = 0']);
      assert.deepEqual(s.current, ['store x <- r + 1', 'store x <- r + 1']);
      assert.equal(s.done, 2);
      assert.deepEqual(s.shared, ['0']);
      assert.equal(await sp.textContent('#sched-live'), 'T1: load r <- x (r1 = 0)');
      await sp.click('#scheduler .sched-run[data-thread="0"]');
      assert.deepEqual((await shown(sp)).shared, ['1'], 'x changes as T0 stores');
      await sp.click('#scheduler .sched-run[data-thread="1"]');
      s = await shown(sp);
      assert.deepEqual(s.shared, ['1']);
      assert.equal(s.status, 'Complete: x = 1 (an update was lost)');
      assert.equal(s.reached, '1', 'the outcome reached is marked in the table');
      assert.deepEqual(s.buttons, ['T0 has finished (disabled)', 'T1 has finished (disabled)']);
      assert.deepEqual(s.waits, [], 'a finished thread is said once, on its button, not in red below it');
      assert.deepEqual(s.narration, ['T0: load r <- x (r0 = 0)', 'T1: load r <- x (r1 = 0)', 'T0: store x <- r + 1 (x = 1)', 'T1: store x <- r + 1 (x = 1)']);
      assert.match(await sp.textContent('#sched-live'), /Complete: x = 1 \(an update was lost\)$/);
      assert.equal(hash(sp), LOST, 'the address holds the schedule');
      // Undo takes one step back; Reset goes back to the start.
      await sp.click('#scheduler .sched-undo');
      s = await shown(sp);
      assert.equal(s.narration.length, 3);
      assert.deepEqual(s.current, ['store x <- r + 1']);
      await sp.click('#scheduler .sched-reset');
      s = await shown(sp);
      assert.deepEqual([s.narration, s.shared, s.done], [[], ['0'], 0]);
      assert.equal(hash(sp), '#explore=counter&threads=2&increments=1&sync=none&schedule=');
    });

    await test('be the scheduler, by keyboard: Tab to T0\'s button, Enter, then digit keys reach x = 1; the focus is visible', async () => {
      await sp.focus('#scheduler-title');
      let tabs = 0;
      while (!(await sp.evaluate(() => document.activeElement.matches('#scheduler .sched-run[data-thread="0"]')))) {
        await sp.keyboard.press('Tab');
        assert.ok(++tabs < 15, 'T0\'s button is reached by Tab');
      }
      const outline = await sp.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.equal(outline, 'solid', 'the focused button shows an outline');
      await sp.keyboard.press('Enter');
      for (const key of ['1', '0', '1']) await sp.keyboard.press(key);
      const s = await shown(sp);
      assert.equal(s.status, 'Complete: x = 1 (an update was lost)');
      assert.equal(hash(sp), LOST);
      assert.ok(await sp.evaluate(() => document.getElementById('scheduler').contains(document.activeElement)), 'the focus stays in the section');
      assert.match(await sp.textContent('#sched-keys'), /press a thread's number \(0 to 1\) to run it/);
      // A digit for a thread that cannot run says why and changes nothing.
      await sp.keyboard.press('0');
      assert.equal(await sp.textContent('#sched-live'), 'T0 cannot run: it has finished');
      // Undo by keyboard too; a digit typed into a control is the control's.
      await sp.focus('#scheduler .sched-undo');
      await sp.keyboard.press('Enter');
      assert.equal((await shown(sp)).narration.length, 3);
      await sp.focus('select[name=sched-threads]');
      await sp.keyboard.press('ArrowDown');
      assert.equal(await sp.inputValue('select[name=sched-threads]'), '3', 'the threads select is operated by keyboard');
      assert.deepEqual((await shown(sp)).buttons.length, 3);
      assert.match(await sp.textContent('#scheduler .sched-total'), /90 schedules in all$/);
      await sp.keyboard.press('ArrowUp');
      assert.equal(await sp.inputValue('select[name=sched-threads]'), '2');
      // Back to the lost update by keys, for the link check below.
      await sp.focus('#scheduler .sched-run[data-thread="0"]');
      for (const key of ['0', '1', '0']) await sp.keyboard.press(key);
      assert.equal(hash(sp), '#explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0');
    });

    await test('be the scheduler: Copy link says Copied; the link and a reload bring back the same state', async () => {
      const before = await shown(sp);
      await sp.click('#scheduler .sched-copy');
      await sp.waitForFunction(() => document.getElementById('sched-copied')?.textContent === 'Copied', null, { timeout: 5_000 });
      const link = await sp.inputValue('#sched-link');
      assert.equal(link, `${PLAIN}#explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0`);
      assert.equal(await sp.evaluate(() => navigator.clipboard.readText()), link);
      const p2 = await sctx.newPage();
      p2.on('pageerror', (e) => schedErrors.push(String(e)));
      await p2.goto(link);
      await p2.waitForSelector('#scheduler .sched-run');
      assert.deepEqual(await shown(p2), before);
      await p2.waitForFunction(() => document.activeElement?.id === 'scheduler-title');
      await p2.close();
      await sp.reload();
      await sp.waitForSelector('#scheduler .sched-run');
      assert.deepEqual(await shown(sp), before);
    });

    await test('be the scheduler: naive philosophers deadlock by clicking; the ordered ones never do; a witness replays', async () => {
      await sp.selectOption('select[name=sched-program]', 'philosophers');
      await sp.waitForSelector('select[name=sched-order]');
      let s = await shown(sp);
      assert.deepEqual(s.buttons, ['Run T0: lock fork 0', 'Run T1: lock fork 1']);
      const shares = await sp.$$eval('#scheduler .sched-outcomes li .share', (ls) => ls.map((l) => l.textContent));
      assert.deepEqual(shares, ['4 of 6 schedules (67%) end with every thread finished', '2 of 6 schedules (33%) end in a deadlock']);
      assert.match(await sp.textContent('#sched-explain'), /^Each fork is a lock/);
      await sp.click('#scheduler .sched-run[data-thread="0"]');
      assert.deepEqual((await shown(sp)).shared, ['held by T0', 'free']);
      await sp.click('#scheduler .sched-run[data-thread="1"]');
      s = await shown(sp);
      assert.deepEqual(s.shared, ['held by T0', 'held by T1']);
      assert.match(s.status, /^Deadlocked: every thread waits/);
      assert.deepEqual(s.waits, ['T0 waits for fork 1, held by T1', 'T1 waits for fork 0, held by T0']);
      assert.deepEqual(s.buttons, ['Run T0: lock fork 1 (disabled)', 'Run T1: lock fork 0 (disabled)']);
      assert.equal(s.reached, 'deadlocked');
      assert.equal(hash(sp), '#explore=philosophers&threads=2&order=naive&schedule=0.1');
      // The witness of "complete", step by step, forwards and back.
      const way = (await sp.textContent('#scheduler .sched-outcomes li[data-outcome="complete"] .witness'))
        .replace('one way to get here: ', '').split(', ').map((t) => t.slice(1));
      assert.equal(way.length, 8);
      await sp.click('#scheduler .sched-outcomes li[data-outcome="complete"] button');
      assert.equal(await sp.textContent('#scheduler .sched-replay span'), 'Replaying one schedule that ends with every thread finished: step 0 of 8');
      // One set of instructions: the replay's. The Run buttons are off and say why.
      s = await shown(sp);
      assert.equal(s.status, null, 'no "pick the thread to run next" while replaying');
      assert.deepEqual(s.buttons, ['Run T0: lock fork 0 (disabled)', 'Run T1: lock fork 1 (disabled)']);
      assert.equal(await sp.getAttribute('#scheduler .sched-run[data-thread="0"]', 'aria-describedby'), 'sched-replay-note');
      assert.match(await sp.textContent('#sched-replay-note'), /^While replaying, the Run buttons are off: use Next step/);
      await sp.click(`#scheduler .sched-run[data-thread="${way[0]}"]`, { force: true });
      assert.equal((await shown(sp)).narration.length, 0, 'a Run button does not step the replay');
      assert.match(await sp.textContent('#sched-live'), /^While replaying, the Run buttons are off/);
      // Copy link at step 0 would hold no step: it is off, with the reason.
      assert.equal(await sp.getAttribute('#scheduler .sched-copy', 'aria-disabled'), 'true');
      assert.match(await sp.textContent('#sched-copy-why'), /take a step with Next step first$/);
      for (let i = 0; i < 8; i++) await sp.click('#scheduler .sched-next');
      s = await shown(sp);
      assert.equal(s.status, 'Complete: every philosopher ate');
      assert.equal(s.narration.length, 8);
      assert.equal(await sp.getAttribute('#scheduler .sched-next', 'aria-disabled'), 'true');
      await sp.click('#scheduler .sched-prev');
      s = await shown(sp);
      assert.equal(s.narration.length, 7);
      assert.match(await sp.textContent('#scheduler .sched-replay span'), /step 7 of 8$/);
      // Copy link in the replay copies its steps taken so far.
      await sp.click('#scheduler .sched-copy');
      await sp.waitForFunction(() => document.getElementById('sched-copied')?.textContent === 'Copied', null, { timeout: 5_000 });
      const replayLink = `${PLAIN}#explore=philosophers&threads=2&order=naive&schedule=${way.slice(0, 7).join('.')}`;
      assert.equal(await sp.inputValue('#sched-link'), replayLink);
      assert.equal(await sp.evaluate(() => navigator.clipboard.readText()), replayLink);
      // Leaving the replay gives the Run buttons back.
      await sp.click('#scheduler .sched-leave');
      s = await shown(sp);
      assert.equal(s.narration.length, 7);
      assert.match(s.status, /^7 steps taken; pick the thread to run next\.$/);
      assert.equal(s.buttons.filter((b) => !b.endsWith('(disabled)')).length, 1);
      await sp.selectOption('select[name=sched-order]', 'ordered');
      const ordered = await sp.$$eval('#scheduler .sched-outcomes li', (ls) => ls.map((l) => l.dataset.outcome));
      assert.deepEqual(ordered, ['complete']);
    });

    await test('be the scheduler: naive messages say at once why nothing can run; the witness with no step has no Replay', async () => {
      await sp.selectOption('select[name=sched-program]', 'messages');
      // The order chosen for the philosophers above is kept; naive is the stuck one.
      await sp.selectOption('select[name=sched-order]', 'naive');
      await sp.waitForSelector('#sched-stuck');
      assert.equal(await sp.textContent('#sched-stuck'), 'Every thread receives before anyone sends: nothing can ever run. Choose order \'ordered\' to see the fix.');
      assert.match(await sp.textContent('#sched-explain'), /recv waits until the channel holds a message/);
      const li = '#scheduler .sched-outcomes li[data-outcome="deadlocked"]';
      assert.equal(await sp.textContent(`${li} .witness`), 'stuck before any step: every thread waits to receive');
      assert.equal(await sp.$(`${li} button`), null, 'nothing to replay');
      await sp.selectOption('select[name=sched-order]', 'ordered');
      assert.equal(await sp.$('#sched-stuck'), null);
      assert.deepEqual((await shown(sp)).buttons, ['Run T0: send c1', 'Run T1: recv c1 (disabled)']);
    });

    await test('be the scheduler: a link changed in the open page is opened, or a bad one says why', async () => {
      const before = await shown(sp);
      await sp.evaluate(() => { location.hash = '#explore=philosophers&threads=2&order=try-lock'; });
      await sp.waitForSelector('#scheduler .sched-link-error');
      assert.equal(await sp.textContent('#scheduler .sched-link-error'), 'This link cannot be opened: unknown order \'try-lock\' (naive or ordered)');
      assert.deepEqual(await shown(sp), before, 'the state shown is kept');
      await sp.evaluate(() => { location.hash = '#explore=counter&threads=2&increments=1&sync=none&schedule=0.1.0'; });
      await sp.waitForFunction(() => document.querySelectorAll('#scheduler .sched-narration li').length === 3);
      assert.equal(await sp.$('#scheduler .sched-link-error'), null);
      assert.equal(await sp.inputValue('select[name=sched-program]'), 'counter');
      // A hashchange without popstate (a script replacing the address) opens it too.
      await sp.evaluate(() => {
        history.replaceState(null, '', '#explore=philosophers&threads=2&order=naive&schedule=0');
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      });
      await sp.waitForFunction(() => document.querySelector('select[name=sched-program]').value === 'philosophers');
      assert.deepEqual((await shown(sp)).shared, ['held by T0', 'free']);
    });

    await test('be the scheduler: a bad link says why in one line and the rest of the page works; an experiment link still opens the lab', async () => {
      const p3 = await sctx.newPage();
      const errors = [];
      p3.on('pageerror', (e) => errors.push(String(e)));
      await p3.goto(`${PLAIN}#explore=philosophers&threads=2&schedule=0.1.0`);
      await ready(p3);
      await p3.waitForSelector('#scheduler .sched-link-error');
      assert.equal(await p3.textContent('#scheduler .sched-link-error'), 'This link cannot be opened: T0 cannot step: fork 1 is held by T1');
      assert.equal(await p3.$('#notice'), null, 'the lab does not take it for an experiment link');
      await p3.click('#scheduler .sched-run[data-thread="0"]');
      await p3.waitForSelector('#scheduler .sched-narration li');
      assert.equal(await p3.$('#scheduler .sched-link-error'), null, 'the error goes with the next change');
      await p3.goto(`${PLAIN}#explore=counter&threads=99`);
      await p3.waitForSelector('#scheduler .sched-link-error');
      assert.equal(await p3.textContent('#scheduler .sched-link-error'), 'This link cannot be opened: counter needs 1 to 8 threads, not 99');
      // The lab's own link still opens an experiment, and the scheduler leaves it alone.
      await p3.selectOption('select[name=workload]', 'primes');
      await p3.click('#copy-link');
      const link = await p3.inputValue('#link');
      assert.match(link, /#x=/);
      await p3.goto('about:blank');
      await p3.goto(link);
      await p3.waitForSelector('#scheduler .sched-run');
      assert.equal(await p3.inputValue('select[name=workload]'), 'primes');
      assert.equal(await p3.$('#scheduler .sched-link-error'), null);
      assert.match(hash(p3), /^#x=/);
      assert.deepEqual(errors, []);
      await p3.close();
    });

    await test('be the scheduler: no accessibility violations (axe), nothing wider than the screen, screenshots at 1366 and 390 px', async () => {
      await sp.goto(`${PLAIN}#explore=philosophers&threads=3&order=naive&schedule=0.1`);
      await sp.waitForSelector('#scheduler .sched-run');
      await sp.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
      const found = [];
      for (const [width, height] of [[1366, 900], [390, 844]]) {
        await sp.setViewportSize({ width, height });
        const v = await sp.evaluate(async () => {
          const r = await window.axe.run(document.getElementById('scheduler'), { resultTypes: ['violations'] });
          return r.violations.map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        });
        found.push(...v.map((x) => `${width}px: ${x}`));
        const fit = await sp.evaluate(() => ({
          page: document.documentElement.scrollWidth, inner: window.innerWidth,
          section: Math.ceil(document.getElementById('scheduler').getBoundingClientRect().right),
        }));
        assert.ok(fit.page <= fit.inner && fit.section <= fit.inner, `${width}px: ${JSON.stringify(fit)}`);
        await sp.locator('#scheduler').screenshot({ path: `${ART}/scheduler-${width}.png` });
      }
      assert.deepEqual(found, []);
    });

    await test('no uncaught errors in the scheduler\'s pages', async () => {
      assert.deepEqual(schedErrors, []);
    });
    await sctx.close();
  }
  // --- end Be the scheduler
  await plain.close();
 }

 if (PHASE === 'native') {
  // Served by native-runner: the same experiment in the browser and natively, side by side.
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const pn = await ctx.newPage();
  await pn.goto(NATIVE_BASE);
  await ready(pn);
  await test('served by native-runner: browser and native rows for the same experiment, equal answers', async () => {
    await pn.waitForSelector('#also-native');
    assert.equal(await pn.isChecked('#also-native'), true);
    await pn.selectOption('select[name=workload]', 'primes');
    await pn.fill('input[name="param.n"]', '300000');
    await pn.press('input[name="param.n"]', 'Tab');
    await pn.click('#run');
    await pn.waitForSelector('text=native, this machine', { timeout: 120_000 });
    const rows = await pn.$$eval('#results tbody tr:not(.set-head)', (trs) => trs.map((tr) => ({
      runtime: tr.children[0].textContent,
      model: tr.dataset.model,
      answer: tr.querySelector('.answer').textContent,
      ratio: tr.querySelector('.ratio .figure')?.textContent ?? tr.querySelector('.ratio').textContent,
      same: !!tr.querySelector('.ratio .same'),
      sentence: tr.querySelector('.ratio').title,
      unreliable: !!tr.querySelector('.ratio .badge[data-kind="unreliable"]'),
      // Trouble with this row's own timings (a baseline's trouble is the speedup's, not the ratio's).
      flagged: [...tr.querySelectorAll('.badge')].some((b) => !['unreliable', 'baseline-unreliable'].includes(b.dataset.kind)),
    })));
    const wasm = rows.filter((r) => r.runtime === 'wasm');
    const native = rows.filter((r) => r.runtime === 'native');
    assert.equal(wasm.length, 2);
    assert.equal(native.length, 2);
    for (const w of wasm) {
      const n = native.find((x) => x.model === w.model);
      assert.equal(w.answer, n.answer);
      // The ratio with the half-width of its interval, and the verdict when it holds 1.
      assert.match(w.ratio, /^\d+\.\d\d ± \d+\.\d\d$/, `wasm/native ratio shown for ${w.model}`);
      assert.equal(w.same, /^no significant difference/.test(w.sentence), w.sentence);
      // Flagged exactly when either side's timings are.
      assert.equal(w.unreliable, w.flagged || n.flagged, `${w.model}: ${JSON.stringify([w, n])}`);
      figures[`wasm_native_${w.model}`] = w.ratio;
    }
    console.log(`     wasm/native: ${wasm.map((w) => `${w.model} ${w.ratio}${w.same ? ' (no significant difference)' : ''}${w.unreliable ? ' (unreliable)' : ''}`).join(', ')}`);
    await pn.screenshot({ path: `${ART}/native.png`, fullPage: true });
    for (const [w, h] of [[1366, 900], [390, 844]]) {
      await pn.setViewportSize({ width: w, height: h });
      await pn.locator('#results').scrollIntoViewIfNeeded();
      await pn.screenshot({ path: `${ART}/native-${w}.png` });
    }
  });
  await test('served by native-runner: a lesson card runs natively and in CPython, and shows both verdicts', async () => {
    await pn.setViewportSize({ width: 1400, height: 1000 });
    assert.equal(await pn.textContent('#lesson-gil-io .native-lesson'), 'Run natively and in CPython');
    await pn.click('#lesson-gil-io .native-lesson');
    await pn.waitForSelector('#lesson-gil-io .verdict-line[data-side="native, this machine"] .verdict-badge', { timeout: 120_000 });
    const v = await pn.getAttribute('#lesson-gil-io .verdict-line[data-side="native, this machine"] .verdict-badge', 'data-verdict');
    assert.ok(['holds', 'inconclusive'].includes(v), v);
    const py = '#lesson-gil-io .verdict-line[data-side="cpython"]';
    await pn.waitForSelector(py);
    assert.match(await pn.textContent(`${py} .side`), /^CPython 3\.\d+\.\d+, this machine/);
    assert.ok(['holds', 'inconclusive'].includes(await pn.getAttribute(`${py} .verdict-badge`, 'data-verdict')));
    assert.match(await pn.textContent(`${py} .beside`), /in CPython 3\.\d+\.\d+, .* in ours/);
    await pn.click(`${py} .differs summary`);
    await pn.locator('#lesson-gil-io').screenshot({ path: `${ART}/lesson-native.png` });
    await pn.setViewportSize({ width: 390, height: 844 });
    await pn.locator('#lesson-gil-io').screenshot({ path: `${ART}/lesson-native-phone.png` });
    await pn.setViewportSize({ width: 1400, height: 1000 });
  });
  await ctx.close();
 }

 if (PHASE === 'service-worker') {
  // The same host with service workers allowed: the page isolates itself and gets threads.
  const sw = await browser.newContext();
  const p3 = await sw.newPage();
  await p3.goto(PLAIN);
  await test('on a static host the service worker makes the page cross-origin isolated', async () => {
    await p3.waitForFunction(() => crossOriginIsolated === true, null, { timeout: 30_000 });
    await ready(p3);
    const m = await p3.evaluate(() => window.playground.machine());
    assert.equal(m.threads, true);
  });
  await sw.close();
 }
} finally {
  await close(browser);
  server.kill();
}

writeFileSync(`${ART}/figures-${PHASE}.json`, JSON.stringify(figures, null, 2));
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
