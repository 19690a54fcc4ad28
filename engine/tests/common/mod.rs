//! What several integration tests share. Each test file is a crate of its own, so they include
//! this module (`#[macro_use] mod common;`) rather than repeat it.

/// Calls `$callback! { module => ModelKind::Variant, ... }` with every model: `model_tests!`
/// (models.rs) and `failure_tests!` (failures.rs) instantiate their per-model tests from this one
/// list, and each checks it against `ModelKind::ALL` (`every_model_is_instantiated`), so a model
/// added to the engine and not here fails both.
#[allow(unused_macros)]
macro_rules! for_each_model {
    ($callback:ident) => {
        $callback! {
            sequential => ModelKind::Sequential,
            thread_per_task => ModelKind::ThreadPerTask,
            static_pool => ModelKind::StaticPool,
            dynamic_pool => ModelKind::DynamicPool,
            work_stealing => ModelKind::WorkStealing,
            message_passing => ModelKind::MessagePassing,
            shared_state => ModelKind::SharedState,
            process_pool => ModelKind::ProcessPool,
            async_loop => ModelKind::Async,
            gil => ModelKind::Gil,
            mpi => ModelKind::Mpi,
        }
    };
}

/// What the tests' host hands every run: the `engine-worker` binary of this package for
/// process-pool, and three ranks as threads of this process for mpi ([`LocalRanks`]: MPI's
/// place is taken by channels; the protocol, the schedules and the records are the real ones).
///
/// [`LocalRanks`]: engine::model::mpi::LocalRanks
#[allow(dead_code)]
pub fn env() -> engine::RunEnv {
    engine::RunEnv {
        worker_program: Some(engine::WorkerProgram {
            program: env!("CARGO_BIN_EXE_engine-worker").into(),
            args: vec![],
        }),
        ranks: Some(engine::model::mpi::LocalRanks::start(3)),
        ..engine::RunEnv::default()
    }
}
