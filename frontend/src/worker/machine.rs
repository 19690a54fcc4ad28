//! The browser's description of the machine, in the engine's [`MachineInfo`] record.

use engine::machine::{MachineInfo, timer_resolution};

/// Describes the machine as a page or worker sees it. The timer resolution measured here depends
/// on cross-origin isolation (5 us isolated, 100 us or more otherwise).
pub fn describe(hardware_concurrency: u32, user_agent: &str) -> MachineInfo {
    MachineInfo {
        runtime: "wasm".into(),
        logical_cores: hardware_concurrency.max(1),
        physical_cores: None,
        cpu_model: None,
        caches: Vec::new(),
        os: user_agent.to_string(),
        arch: "wasm32".into(),
        timer_resolution: timer_resolution(),
        ranks: Vec::new(),
    }
}
