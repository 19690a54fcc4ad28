// A process-pool worker: its own WebAssembly instance with its own memory, so nothing is shared
// with the parent but the messages, as with OS processes. Requests and replies are JSON strings
// (ToWorker and FromWorker in engine/src/model/process_pool/protocol.rs); postMessage's
// structured clone carries them.
//
// Cross-origin isolated pages load the threads build with a fresh memory of its own: that build
// unwinds panics, so a panicking task is reported like a native worker's, and the worker lives
// on. Other pages load the page build, where a panic aborts the worker (the parent reports it
// as died).
const build = self.crossOriginIsolated ? './threads/frontend.js' : './frontend.js';
const ready = import(build).then(async (pkg) => {
  await pkg.default();
  return pkg;
});
self.onmessage = async ({ data }) => {
  const pkg = await ready;
  let reply;
  try {
    reply = pkg.process_worker_handle(data);
  } catch (e) {
    // The instance trapped: an abort, or the process-pool "exit" fault. Like a process that
    // died, this worker ends; the parent is told why, fails the run, and starts fresh workers
    // for the next one.
    self.postMessage(JSON.stringify({ type: 'error', message: `the worker process died: ${e}` }));
    self.close();
    return;
  }
  if (reply !== undefined) {
    self.postMessage(reply);
  }
};
