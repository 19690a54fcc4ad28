// The browser side of the performance suite (`cargo xtask bench`): opens the playground in
// headless Chromium and runs experiment specs through `window.playground.run`, one at a time, as
// the xtask asks for them, so browser and native runs can be interleaved on the same machine.
//
//   node bench/browser.mjs URL
//
// Protocol: one JSON request per line on stdin, one JSON reply per line on stdout.
//   {"spec": {...}}   -> {"result": ResultSet, "longest_task_ms": x}   or {"error": "..."}
//   {"page": true}    -> {"page": {...}}: load timings, wasm sizes as transferred, machine
// `longest_task_ms` is the longest main-thread task (PerformanceObserver "longtask", which
// reports tasks over 50 ms) seen while that spec ran; 0 when there was none.
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const URL_ = process.argv[2];
if (!URL_) {
  console.error('usage: node bench/browser.mjs URL');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
// Installed before any page script, so no long task escapes it.
await page.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
});
await page.goto(URL_, { waitUntil: 'load' });
// Interactive: the interface is drawn and the engine worker (with its thread pool) is ready.
await page.waitForFunction(
  () => window.playground && window.playground.machine().ready && document.querySelector('#run'),
  null,
  { polling: 'raf', timeout: 120_000 },
);
const pageInfo = await page.evaluate(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const wasm = performance.getEntriesByType('resource')
    .filter((r) => r.name.endsWith('.wasm'))
    .map((r) => ({ name: new URL(r.name).pathname, transfer_bytes: r.transferSize, body_bytes: r.decodedBodySize }));
  return {
    interactive_ms: performance.now(),
    first_contentful_paint_ms: fcp ? fcp.startTime : null,
    dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
    load_ms: nav ? nav.loadEventEnd : null,
    long_tasks_during_load_ms: window.__longTasks.slice(),
    wasm,
    machine: window.playground.machine(),
    user_agent: navigator.userAgent,
  };
});

const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    send({ error: `bad request: ${e.message}` });
    continue;
  }
  if (req.page) {
    send({ page: { ...pageInfo, page_errors: errors.slice() } });
    continue;
  }
  try {
    const reply = await page.evaluate(async (spec) => {
      window.__longTasks.length = 0;
      const result = await window.playground.run(spec);
      // Let the observer deliver entries of the last frames before reading them.
      await new Promise((r) => setTimeout(r, 50));
      return { result, longest_task_ms: Math.max(0, ...window.__longTasks) };
    }, req.spec);
    send(reply);
  } catch (e) {
    send({ error: String(e.message || e).split('\n')[0] });
  }
}
await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 5_000))]);
process.exit(0);
