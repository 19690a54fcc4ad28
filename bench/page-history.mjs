// How a page's history changes a WebAssembly figure: `n-body` (one task, one call) timed in fresh
// pages of headless Chromium, each after a different workload ran first. The findings are in
// the performance report (section 1, "Why the suite page and a fresh page can disagree").
//
//   target/release/native-runner serve --port 8099 &
//   node bench/page-history.mjs http://127.0.0.1:8099/
//
// Prints, per case, the times of 6 runs after 1 warm-up (and, first, 8 runs without one, which
// shows the first run's baseline-compiled code), in milliseconds.
import { chromium } from 'playwright-core';

const URL_ = process.argv[2];
if (!URL_) {
  console.error('usage: node bench/page-history.mjs URL');
  process.exit(2);
}
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const spec = (name, n, repetitions, warmups) => ({
  schema_version: 1, workload: { name, n }, model: { name: 'sequential' }, workers: 1,
  repetitions, warmups, baseline: false, timeline: false,
});
const ms = (r) => r.results[0].times.map((t) => (t * 1000).toFixed(0)).join(' ');
const NBODY = 5_000_000;

async function inFreshPage(label, before, nbody) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(URL_);
    await page.waitForFunction(() => window.playground && window.playground.machine().ready, null, { timeout: 120_000 });
    const run = (s) => page.evaluate((s) => window.playground.run(s), s);
    for (const [w, n] of before) await run(spec(w, n, 3, 1));
    console.log(`${label}: ${ms(await run(nbody))} ms`);
  } finally {
    await browser.close();
  }
}

await inFreshPage('first runs in a fresh page, no warm-up', [], spec('n-body', NBODY, 8, 0));
for (const [label, before] of [
  ['fresh page', []],
  ['after square n=10^6 (other code, much allocated)', [['square', 1_000_000]]],
  ['after stream with a 64 MB buffer', [['stream', 67_108_864]]],
  ['after a tiny n-body (the same code, warmed)', [['n-body', 1000]]],
  ['after spectral-norm', [['spectral-norm', 2000]]],
  ['after mandelbrot, spectral-norm, fannkuch-redux (the suite order)', [['mandelbrot', 2000], ['spectral-norm', 2000], ['fannkuch-redux', 10]]],
]) {
  await inFreshPage(label, before, spec('n-body', NBODY, 6, 1));
}
