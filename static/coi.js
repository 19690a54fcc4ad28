// Cross-origin isolation on static hosts that cannot set headers (GitHub Pages and the like).
//
// SharedArrayBuffer, and so WebAssembly threads, exist only in pages served with
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. Where
// the server does not send them, sw.js (a service worker) adds them to every response of this
// origin, and this script reloads the page once so that it is loaded through the worker.
// Guarded against reload loops: one attempt per tab session; if the page is still not isolated
// afterwards, it stays as it is and shows why.
(() => {
  if (self.crossOriginIsolated || !('serviceWorker' in navigator) || !self.isSecureContext) return;
  const KEY = 'playground-coi-reloaded';
  if (sessionStorage.getItem(KEY)) return;
  navigator.serviceWorker.register('./sw.js').then((registration) => {
    const reload = () => {
      sessionStorage.setItem(KEY, '1');
      location.reload();
    };
    if (registration.active && !navigator.serviceWorker.controller) {
      reload();
      return;
    }
    navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
  }).catch((e) => console.warn('cross-origin isolation service worker not registered:', e));
})();
