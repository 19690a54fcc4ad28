//! Where the models get their threads.
//!
//! Natively a worker is an OS thread (`std::thread::scope`). In WebAssembly there are no OS
//! threads: a worker is a Web Worker of the rayon pool that `wasm-bindgen-rayon` starts, all
//! sharing one `WebAssembly.Memory`, and a spawned closure occupies one of them until it returns.
//! So the page sizes that pool for the busiest model (its workers plus a coordinator) and calls
//! the engine from inside the pool, never from the browser's main thread, which may not block.

use std::sync::OnceLock;

use crate::error::RunError;

/// A closure to run on a thread of its own.
pub type Detached = Box<dyn FnOnce() + Send + 'static>;

static DETACHED_SPAWNER: OnceLock<fn(Detached) -> Result<(), String>> = OnceLock::new();

/// Installs the host's way of starting a thread that belongs to no pool. Natively that is
/// `std::thread::spawn`; in the browser the page supplies it (a Web Worker sharing the memory),
/// because rayon refuses to run a second pool's thread on a thread of the first pool, so
/// `work-stealing` cannot borrow the page's pool for its own.
pub fn set_detached_spawner(spawner: fn(Detached) -> Result<(), String>) {
    let _ = DETACHED_SPAWNER.set(spawner);
}

/// Starts `f` on a thread of its own (used by `work-stealing` in WebAssembly; natively rayon
/// starts its own OS threads).
#[cfg(target_family = "wasm")]
pub(crate) fn spawn_detached(f: Detached) -> Result<(), RunError> {
    match DETACHED_SPAWNER.get() {
        Some(spawn) => spawn(f).map_err(RunError::Spawn),
        None => Err(RunError::Spawn(
            "this page gave the engine no way to start threads".into(),
        )),
    }
}

/// A scope whose spawned workers have all finished when [`scope`] returns. Spawned closures may
/// borrow anything that outlives the call to [`scope`] (`'env`).
pub(crate) struct Threads<'a, 'env> {
    #[cfg(not(target_family = "wasm"))]
    inner: &'a std::thread::Scope<'a, 'env>,
    #[cfg(target_family = "wasm")]
    inner: &'a rayon::Scope<'env>,
}

impl<'env> Threads<'_, 'env> {
    /// Starts `f` on a new worker.
    pub fn spawn<F>(&self, name: String, f: F) -> Result<(), RunError>
    where
        F: FnOnce() + Send + 'env,
    {
        #[cfg(not(target_family = "wasm"))]
        {
            std::thread::Builder::new()
                .name(name.clone())
                .spawn_scoped(self.inner, f)
                .map(|_| ())
                .map_err(|e| RunError::Spawn(format!("{name}: {e}")))
        }
        #[cfg(target_family = "wasm")]
        {
            let _ = name;
            self.inner.spawn(move |_| f());
            Ok(())
        }
    }
}

/// Runs `f` with a [`Threads`] to spawn workers on; returns once every worker has finished.
pub(crate) fn scope<'env, F, R>(f: F) -> R
where
    F: for<'a> FnOnce(&Threads<'a, 'env>) -> R + Send,
    R: Send,
{
    #[cfg(not(target_family = "wasm"))]
    {
        std::thread::scope(|s| f(&Threads { inner: s }))
    }
    #[cfg(target_family = "wasm")]
    {
        rayon::scope(|s: &rayon::Scope<'env>| f(&Threads { inner: s }))
    }
}

/// Whether this build can run more than one thread at all: always natively; in WebAssembly only
/// when built with shared memory (`+atomics`) and run on a pool of Web Workers.
pub fn available() -> bool {
    #[cfg(not(target_family = "wasm"))]
    {
        true
    }
    #[cfg(target_family = "wasm")]
    {
        cfg!(target_feature = "atomics")
    }
}

/// Blocks the calling thread for `d`. Where WebAssembly has no shared memory (a page that is not
/// cross-origin isolated) no blocking wait exists at all, so the wait spins on the clock.
pub fn sleep(d: std::time::Duration) {
    #[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
    {
        let end = web_time::Instant::now() + d;
        while web_time::Instant::now() < end {
            std::hint::spin_loop();
        }
    }
    #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
    std::thread::sleep(d);
}
