// The engine worker: the page's main thread never runs the engine; it sends experiments here.
//
// Cross-origin isolated pages load the threads build (shared memory) and start a pool of Web
// Workers with wasm-bindgen-rayon; other pages load the single-threaded page build, which still
// runs sequential, async and process-pool. Messages:
//   in:  {type: 'init', poolSize} | {type: 'run', id, spec} | {type: 'cancel', id}
//   out: {type: 'ready', threads, poolSize, machine} | {type: 'fatal', message}
//        {type: 'progress', id, progress} | {type: 'result', id, json} | {type: 'error', id, message}
//        {type: 'partial', id, json}: on cancel, what the run has done so far, in case it is
//        stuck and the page has to end this worker to stop it
const isolated = self.crossOriginIsolated === true;
const base = new URL('./', self.location.href).href;
let pkg = null;
let current = null;

// A trap in WebAssembly (a panic aborts) leaves the instance unusable: report it, so the page
// fails the run and replaces this worker instead of waiting forever.
function crashed(reason) {
  postMessage({ type: 'crashed', id: current, message: `the engine crashed: ${reason}` });
}
self.addEventListener('error', (e) => crashed(e.message || e));
self.addEventListener('unhandledrejection', (e) => crashed(e.reason));

// For diagnostics (the end-to-end tests read it): bytes of the engine's WebAssembly memory,
// which only grows, so after runs it is their peak.
self.engineMemoryBytes = () => (pkg ? pkg.engine_memory_bytes() : 0);

// Threads outside the rayon pool, started on demand (see thread-worker.js).
let threads = 0;
self.startThreads = async (n) => {
  const init = {
    module: pkg.engine_module(),
    memory: pkg.engine_memory(),
    mainJS: new URL('./threads/frontend.js', base).href,
  };
  const starting = [];
  for (; threads < n; threads++) {
    const worker = new Worker(new URL('./thread-worker.js', base), { type: 'module' });
    starting.push(new Promise((resolve) => {
      worker.addEventListener('message', ({ data }) => data.type === 'thread_ready' && resolve(), { once: true });
    }));
    worker.postMessage(init);
  }
  await Promise.all(starting);
};

async function boot(poolSize) {
  if (isolated) {
    pkg = await import('./threads/frontend.js');
    await pkg.default();
    await pkg.initThreadPool(poolSize);
  } else {
    pkg = await import('./frontend.js');
    await pkg.default();
  }
  pkg.engine_set_base(base);
  postMessage({
    type: 'ready',
    threads: pkg.engine_threads(),
    poolSize: isolated ? poolSize : 1,
    machine: pkg.engine_machine(navigator.hardwareConcurrency, navigator.userAgent),
  });
}

self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    try {
      await boot(data.poolSize);
    } catch (e) {
      postMessage({ type: 'fatal', message: `the engine could not start: ${e}` });
    }
  } else if (data.type === 'run') {
    current = data.id;
    const poll = () => postMessage({ type: 'progress', id: data.id, progress: pkg.engine_progress() });
    const timer = setInterval(poll, 100);
    try {
      const json = await pkg.engine_run(data.spec, navigator.hardwareConcurrency, navigator.userAgent);
      postMessage({ type: 'result', id: data.id, json });
    } catch (e) {
      postMessage({ type: 'error', id: data.id, message: String(e && e.message ? e.message : e) });
    } finally {
      clearInterval(timer);
      current = null;
    }
  } else if (data.type === 'cancel') {
    if (!pkg) return;
    pkg.engine_cancel();
    const json = pkg.engine_partial('stopped');
    if (json) postMessage({ type: 'partial', id: data.id, json });
  }
};
