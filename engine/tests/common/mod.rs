//! What several integration tests share. Each test file is a crate of its own, so they include
//! this module (`#[macro_use] mod common;`) rather than repeat it.

/// Calls `$callback! { module => ModelKind::Variant, ... }` with every model: `model_tests!`
/// (models.rs) and `failure_tests!` (failures.rs) instantiate their per-model tests from this one
/// list, and each checks it against `ModelKind::ALL` (`every_model_is_instantiated`), so a model
/// added to the engine and not here fails both.
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
        }
    };
}
