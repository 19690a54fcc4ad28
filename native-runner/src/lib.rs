//! The native runner: the playground's experiments run natively on this machine, for baselines,
//! sweeps and export. The logic lives in [`cli`] and [`report`]; `main` is glue.

pub mod cli;
pub mod machine;
#[cfg(feature = "mpi")]
mod ping_pong;
pub mod progress;
pub mod python;
pub mod ranks;
pub mod report;
pub mod serve;
