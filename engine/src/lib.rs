//! The engine of the concurrency playground: workloads, scheduling models, measurement, and the
//! experiment spec shared by the browser and the native runner.
//!
//! # Items
//! - [`spec`]: [`Experiment`] (workload + parameters, model + options, workers, repetitions,
//!   warm-ups, sweep), versioned by [`SCHEMA_VERSION`], with strict JSON decoding.
//! - [`link`]: the compact link form (deflate + base64url in a URL fragment): [`link::encode`],
//!   [`link::decode`].
//! - [`limits`]: every default and limit, in one place.
//! - [`workload`]: [`WorkloadKind`] and each workload's descriptor ([`WorkloadKind::info`]), the
//!   [`Job`] interface, answers and references.
//! - [`model`]: [`ModelKind`] and each model's descriptor ([`ModelKind::info`]), [`run_once`],
//!   and the per-task [`TaskRecord`].
//! - [`measure`]: [`run_experiment`] and [`ExperimentRun`], the schedule every host drives.
//! - [`result`]: the result schema ([`ResultSet`], [`ModelResult`], the partial-result note) and
//!   its CSV form.
//! - [`lesson`]: the tutorials' claims as experiments with a verdict ([`lesson::all`]).
//! - [`breakdown`]: where a configuration's time went (compute, overhead, wait, idle, start-up).
//! - [`estimate`]: a rough run-time estimate before running, for asking before long runs.
//! - [`explore`]: the interleaving explorer: small programs of atomic steps, their step-by-step
//!   semantics, the exact count of their schedules by outcome with witnesses, and its link form.
//! - [`journal`]: what an experiment has done so far, for the partial result of a run that is
//!   stopped or times out ([`result::Partial`]).
//! - [`stats`]: mean, standard deviation, median, outliers, Karp-Flatt, Amdahl fit.
//! - [`machine`]: [`MachineInfo`] and the timer resolution measurement.
//! - [`messages`]: the typed messages between the server, the page, the engine worker and the
//!   process-pool workers.
//! - [`locks`]: the engine's own mutexes, which know their holders and waiters: a deadlock is
//!   found when its cycle closes ([`locks::Deadlock`]) and lock fairness is counted
//!   ([`locks::LockStats`]).
//! - [`error`]: [`SpecError`], [`LinkError`], [`RunError`].
//!
//! # Example
//! ```
//! use engine::{Experiment, ModelKind, RunEnv, run_experiment};
//!
//! // Workloads and models by name, as the CLI and links give them.
//! let mut exp = Experiment::new("primes".parse()?, "dynamic-pool".parse()?, 2);
//! exp.workload.n = 100_000;
//! exp.repetitions = engine::Repetitions::Fixed(3);
//! let exp = exp.validate().unwrap();
//!
//! // The link form reproduces the experiment exactly.
//! let link = engine::link::fragment(&exp);
//! assert_eq!(engine::link::decode(&link).unwrap(), exp);
//!
//! let results = run_experiment(&exp, &RunEnv::default(), &mut |_| {}).unwrap();
//! let (sequential, pool) = (&results.results[0], &results.results[1]);
//! assert_eq!(sequential.model, ModelKind::Sequential);
//! assert_eq!(pool.answer.summary, "9592 primes below 100000");
//! assert_eq!(pool.verified, Some(true));
//! println!("{:.2}x faster than sequential", pool.speedup.unwrap());
//! # Ok::<(), engine::SpecError>(())
//! ```

#![forbid(unsafe_code)]

pub mod breakdown;
pub mod compare;
pub mod error;
pub mod estimate;
pub mod explore;
pub mod journal;
pub mod lesson;
pub mod limits;
pub mod link;
pub mod locks;
pub mod machine;
pub mod measure;
pub mod messages;
pub mod model;
pub mod result;
pub mod spec;
pub mod stats;
pub mod threads;
pub mod warning;
pub mod workload;

pub use error::{LinkError, ListError, RunError, SpecError};
pub use machine::MachineInfo;
pub use measure::{ExperimentRun, Progress, Step, run_experiment};
pub use model::{
    ModelKind, RunConfig, RunControl, RunEnv, RunOutcome, TaskRecord, WorkerProgram, run_once,
};
pub use result::{ModelResult, ResultSet};
pub use spec::{Experiment, ModelSpec, Order, Repetitions, SCHEMA_VERSION, Sweep, WorkloadSpec};
pub use workload::{Answer, Job, WorkloadKind};
