// A thread outside the rayon pool: a Web Worker that instantiates the threads build on the
// engine's shared memory and then runs the closures the engine queues for it (the pools that
// work-stealing builds for each run). Started by the engine worker's startThreads().
self.onmessage = async ({ data }) => {
  const pkg = await import(data.mainJS);
  pkg.initSync({ module: data.module, memory: data.memory });
  postMessage({ type: 'thread_ready' });
  pkg.engine_thread_main();
};
