// Starts the page: loads the interface's WebAssembly (the page build) and runs it. A file rather
// than the inline loader trunk would inject, so the Content-Security-Policy can forbid inline
// script.
import init from './frontend.js';

init({ module_or_path: new URL('./frontend_bg.wasm', import.meta.url) });
