//! What the experiment ran on. The engine defines the record; the host fills it in (the native
//! runner from the OS, the page from `navigator`), because only the host can see the machine.

use serde::{Deserialize, Serialize};
use web_time::Instant;

/// One CPU cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    pub level: u32,
    /// "Data", "Instruction" or "Unified".
    pub kind: String,
    pub size_bytes: u64,
    /// How many logical CPUs share one instance of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_by: Option<u32>,
}

/// The machine an experiment ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MachineInfo {
    /// "native" or "wasm".
    pub runtime: String,
    pub logical_cores: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_cores: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_model: Option<String>,
    #[serde(default)]
    pub caches: Vec<Cache>,
    pub os: String,
    pub arch: String,
    /// Smallest step of the clock that timed the runs, measured, in seconds.
    pub timer_resolution: f64,
    /// Under an MPI launcher, the job's ranks with their hosts and cores (`logical_cores` is
    /// then the job's, [`crate::model::mpi::job_cores`]); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranks: Vec<crate::model::mpi::RankInfo>,
}

/// Measures the clock's resolution: the smallest non-zero difference between successive
/// readings. Browsers coarsen `performance.now()` (5 us when cross-origin isolated, 100 us or
/// more otherwise), which bounds how short a task the page can time.
pub fn timer_resolution() -> f64 {
    let mut best = f64::INFINITY;
    let deadline = Instant::now() + std::time::Duration::from_millis(20);
    let mut samples = 0;
    while samples < 200 && Instant::now() < deadline {
        let a = Instant::now();
        let mut b = Instant::now();
        while b == a {
            b = Instant::now();
        }
        best = best.min((b - a).as_secs_f64());
        samples += 1;
    }
    best
}
