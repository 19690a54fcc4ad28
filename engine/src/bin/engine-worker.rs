//! `engine-worker`: a process-pool worker and nothing else. It reads requests on stdin and writes
//! replies on stdout (see [`engine::model::process_pool::worker_main`]) until stdin closes.
//!
//! The engine's tests and benches start it through [`engine::WorkerProgram`]; the native runner
//! starts itself instead. On WebAssembly there are no processes, so it only says so.

#[cfg(not(target_family = "wasm"))]
fn main() {
    if let Err(e) =
        engine::model::process_pool::worker_main(std::io::stdin().lock(), std::io::stdout().lock())
    {
        eprintln!("engine-worker: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_family = "wasm")]
fn main() {
    println!("engine-worker: this platform has no OS processes, so it cannot run a worker");
    std::process::exit(1);
}
