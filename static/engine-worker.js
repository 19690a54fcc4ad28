// The engine worker: the page's main thread never runs the engine; it sends experiments here.
//
// Cross-origin isolated pages load the threads build (shared memory) and start a pool of Web
// Workers with wasm-bindgen-rayon; other pages load the single-threaded page build, which still
// runs sequential, async and process-pool. Messages are JSON text, typed in Rust
// (engine/src/messages.rs: ToEngine in, FromEngine out). This script reads only their `type`,
// hands them to the engine as they are, and posts the engine's replies as they are; it writes
// only the messages the engine cannot: 'fatal' (it did not start), 'crashed' (it trapped) and
// 'error' (a run threw).
const isolated = self.crossOriginIsolated === true;
const base = new URL('./', self.location.href).href;
let pkg = null;
let current = null;

// A trap in WebAssembly (a panic aborts) leaves the instance unusable: report it, so the page
// fails the run and replaces this worker instead of waiting forever.
const post = (msg) => postMessage(JSON.stringify(msg));
function crashed(reason) {
  post({ type: 'crashed', id: current, message: `the engine crashed: ${reason}` });
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
  postMessage(pkg.engine_ready(isolated ? poolSize : 1, navigator.hardwareConcurrency, navigator.userAgent));
}

self.onmessage = async ({ data }) => {
  const msg = JSON.parse(data);
  if (msg.type === 'init') {
    try {
      await boot(msg.pool_size);
    } catch (e) {
      post({ type: 'fatal', message: `the engine could not start: ${e}` });
    }
  } else if (msg.type === 'run') {
    current = msg.id;
    const timer = setInterval(() => postMessage(pkg.engine_progress()), 100);
    try {
      postMessage(await pkg.engine_run(data, navigator.hardwareConcurrency, navigator.userAgent));
    } catch (e) {
      post({ type: 'error', id: msg.id, message: String(e && e.message ? e.message : e) });
    } finally {
      clearInterval(timer);
      current = null;
    }
  } else if (msg.type === 'cancel') {
    if (!pkg) return;
    const partial = pkg.engine_cancel(data);
    if (partial) postMessage(partial);
  }
};
