//! Every limit and default of the playground, in one place.
//!
//! The spec decoder, the CLI, the browser controls and `native-runner list` all read these, so a
//! limit changed here changes everywhere at once. A workload's own parameters, with their defaults
//! and limits, are in its descriptor, next to its code. Limits exist because experiments arrive
//! from links shared by strangers: a link must not be able to ask for a run that never ends or exhausts memory.

/// Most workers (threads, processes or in-flight async tasks) one run may use.
pub const MAX_WORKERS: u32 = 256;
/// Most timed repetitions per configuration.
pub const MAX_REPETITIONS: u32 = 1000;
/// `"auto"` repetitions: the precision they aim for, the 95% interval's half-width over the mean.
pub const AUTO_PRECISION: f64 = 0.02;
/// `"auto"` repetitions: the fewest and most per configuration.
pub const AUTO_MIN_REPETITIONS: u32 = 3;
pub const AUTO_MAX_REPETITIONS: u32 = 50;
/// `"auto"` repetitions: seconds after which no new round starts, by default and at most.
pub const DEFAULT_BUDGET_S: f64 = 10.0;
pub const MIN_BUDGET_S: f64 = 0.1;
pub const MAX_BUDGET_S: f64 = 3600.0;
/// Most untimed warm-up runs per configuration.
pub const MAX_WARMUPS: u32 = 100;
/// Most points in one sweep.
pub const MAX_SWEEP_POINTS: usize = 64;
/// Largest chunk size accepted (larger than any task count we allow).
pub const MAX_CHUNK_SIZE: u64 = 100_000_000;
/// Longest accepted GIL switch interval, in milliseconds.
pub const MAX_SWITCH_INTERVAL_MS: f64 = 1000.0;
/// Shortest accepted GIL switch interval, in milliseconds (CPython accepts any positive value; below
/// 1 us the emulation would only measure lock hand-off).
pub const MIN_SWITCH_INTERVAL_MS: f64 = 0.001;
/// GIL switch interval when a spec names none, in milliseconds: CPython's own default
/// (`sys.getswitchinterval()` is 0.005 s), so an untuned run behaves like an untuned interpreter.
pub const DEFAULT_SWITCH_INTERVAL_MS: f64 = 5.0;
/// The mpi model's schedule when none is given: ranks take chunks as they finish, which copes with
/// uneven tasks and with ranks on hosts of different speeds.
pub const DEFAULT_SCHEDULE: crate::spec::Schedule = crate::spec::Schedule::Dynamic;
/// How the shared-state model synchronizes when a spec names none: one lock, as
/// `multiprocessing.Array` with its `Lock` does, the form a Python programmer meets first.
pub const DEFAULT_SYNC: crate::spec::SyncKind = crate::spec::SyncKind::Lock;
/// Longest run time limit (`native-runner run --timeout`), in seconds: a day, far beyond any run
/// the other limits allow, so the cap only catches typing mistakes.
pub const MAX_TIMEOUT_S: u64 = 86_400;
/// Largest results payload accepted from a link, inflated, in bytes: results travel without their
/// per-task records, so this is generous; it bounds a decompression bomb as `MAX_SPEC_BYTES` does.
pub const MAX_RESULTS_JSON_BYTES: usize = 512 * 1024;
/// Longest accepted link, in characters: far more than any valid experiment needs.
pub const MAX_LINK_CHARS: usize = 16 * 1024;
/// Largest accepted spec JSON (after inflating a link), in bytes: bounds a decompression bomb.
pub const MAX_SPEC_BYTES: usize = 64 * 1024;
/// Most tasks per stage the thread-per-task model starts (one OS thread each).
pub const MAX_THREAD_PER_TASK_TASKS: u64 = 1_000_000;

/// What kind of value a parameter takes, with its default and its bounds (inclusive).
#[derive(Debug, Clone, PartialEq)]
pub enum ParamKind {
    /// A whole number.
    Int { default: u64, min: u64, max: u64 },
    /// A real number.
    Float { default: f64, min: f64, max: f64 },
    /// One of a fixed set of words.
    Choice {
        default: &'static str,
        options: &'static [&'static str],
    },
}

/// One named parameter of a workload.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDef {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: ParamKind,
}

pub(crate) const fn int(
    name: &'static str,
    description: &'static str,
    default: u64,
    min: u64,
    max: u64,
) -> ParamDef {
    ParamDef {
        name,
        description,
        kind: ParamKind::Int { default, min, max },
    }
}

pub(crate) const fn float(
    name: &'static str,
    description: &'static str,
    default: f64,
    min: f64,
    max: f64,
) -> ParamDef {
    ParamDef {
        name,
        description,
        kind: ParamKind::Float { default, min, max },
    }
}

pub(crate) const fn choice(
    name: &'static str,
    description: &'static str,
    default: &'static str,
    options: &'static [&'static str],
) -> ParamDef {
    ParamDef {
        name,
        description,
        kind: ParamKind::Choice { default, options },
    }
}

/// The help text of the common `tasks` parameter.
pub(crate) const TASKS_HELP: &str = "tasks the work is split into";

/// The interleaving explorer (`explore`): most schedules one exploration enumerates. Requests are
/// counted first and refused above this with their count, so a link cannot ask for an
/// exploration that never ends.
pub const EXPLORE_MAX_SCHEDULES: u64 = 10_000_000;
/// The interleaving explorer: most distinct states its dynamic programme memoizes (counting or
/// exploring), so a request whose count itself is costly is refused instead of exhausting memory.
pub const EXPLORE_MAX_STATES: usize = 2_000_000;
/// The interleaving explorer: most threads in one program.
pub const EXPLORE_MAX_THREADS: usize = 8;
/// The interleaving explorer: most increments per thread of the counter program.
pub const EXPLORE_MAX_INCREMENTS: u32 = 100;
