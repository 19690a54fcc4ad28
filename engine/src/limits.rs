//! Every limit and default of the playground, in one place.
//!
//! The spec decoder, the CLI, the browser controls and `native-runner list` all read these tables, so a
//! limit changed here changes everywhere at once. Limits exist because experiments arrive from links
//! shared by strangers: a link must not be able to ask for a run that never ends or exhausts memory.

use crate::workload::WorkloadKind;

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

const fn int(
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

const fn float(
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

const fn choice(
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

/// The main size parameter `n` of a workload: default and limits. Defaults run in about a second on
/// one core of a 2020s laptop.
pub fn size_param(kind: WorkloadKind) -> ParamDef {
    use WorkloadKind::*;
    match kind {
        Mandelbrot => int("n", "image width and height in pixels", 4000, 1, 16_000),
        SpectralNorm => int("n", "matrix order", 2000, 1, 10_000),
        FannkuchRedux => int("n", "permutation length", 10, 3, 12),
        NBody => int("n", "simulation steps", 5_000_000, 0, 100_000_000),
        Primes => int("n", "count primes below n", 5_000_000, 2, 1_000_000_000),
        Square => int("n", "items to square", 1_000_000, 1, 10_000_000),
        Sleep => int("n", "tasks, each waiting latency_ms", 100, 1, 1_000_000),
        Stream => int(
            "n",
            "working-set size in bytes (the 'bytes' of the buffer)",
            64 << 20,
            4096,
            1 << 30,
        ),
        Counter => int("n", "increments in total", 10_000_000, 1, 1_000_000_000),
        Amdahl => int("n", "work units in total", 2_000, 1, 1_000_000),
    }
}

const TASKS_HELP: &str = "tasks the work is split into";
const SPECTRAL_NORM: [ParamDef; 1] = [int(
    "tasks",
    "row blocks per matrix-vector product",
    32,
    1,
    10_000,
)];
const FANNKUCH_REDUX: [ParamDef; 1] = [int("tasks", "blocks of permutations", 48, 1, 10_000)];
const PRIMES: [ParamDef; 1] = [int("tasks", TASKS_HELP, 64, 1, 1_000_000)];
const SLEEP: [ParamDef; 3] = [
    int(
        "latency_ms",
        "mean wait per task, milliseconds",
        10,
        0,
        10_000,
    ),
    int(
        "jitter_ms",
        "uniform +- jitter around the mean, milliseconds",
        0,
        0,
        10_000,
    ),
    int("seed", "seed of the jitter", 1, 0, u64::MAX),
];
const STREAM: [ParamDef; 3] = [
    choice(
        "op",
        "sum reads one array; triad writes a = b + s*c",
        "sum",
        &["sum", "triad"],
    ),
    int("passes", "passes over the buffer", 10, 1, 10_000),
    int("tasks", "blocks per pass", 64, 1, 1_000_000),
];
const COUNTER: [ParamDef; 2] = [
    choice(
        "variant",
        "how increments reach the shared counter",
        "atomic",
        &["mutex", "atomic", "local-then-reduce", "racy"],
    ),
    int("tasks", TASKS_HELP, 64, 1, 1_000_000),
];
const AMDAHL: [ParamDef; 2] = [
    float(
        "serial_fraction",
        "fraction of the work that runs serially",
        0.1,
        0.0,
        1.0,
    ),
    int(
        "tasks",
        "tasks the parallel part is split into",
        100,
        1,
        1_000_000,
    ),
];

/// The other parameters of a workload, with defaults and limits.
pub fn extra_params(kind: WorkloadKind) -> &'static [ParamDef] {
    use WorkloadKind::*;
    match kind {
        Mandelbrot | NBody | Square => &[],
        SpectralNorm => &SPECTRAL_NORM,
        FannkuchRedux => &FANNKUCH_REDUX,
        Primes => &PRIMES,
        Sleep => &SLEEP,
        Stream => &STREAM,
        Counter => &COUNTER,
        Amdahl => &AMDAHL,
    }
}
