// A process-pool worker: its own WebAssembly instance with its own memory (the page build, no
// shared memory), so nothing is shared with the parent but the messages, as with OS processes.
// Requests and replies are JSON strings; postMessage's structured clone carries them.
import init, { process_worker_handle } from './frontend.js';

const ready = init();
self.onmessage = async ({ data }) => {
  await ready;
  const reply = process_worker_handle(data);
  if (reply !== undefined) {
    self.postMessage(reply);
  }
};
