//! `__ping-pong`: MPI's one-way latency between ranks 0 and 1, for the performance suite
//! (`cargo xtask bench`, its MPI section). Every rank of the job runs it in place of the command
//! (`ranks::Job::start`): rank 0 sends a message and waits for it to come back, rank 1 returns
//! it, with blocking sends and receives; any further rank only waits. The clock is `MPI_Wtime`.
//! One-way latency is a batch's time over twice its round trips; rank 0 prints JSON with each
//! size's median batch.

use clap::Parser;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use serde_json::json;

use crate::cli::{Cli, Command, PingPongArgs};

/// The subcommand's name, which `ranks::Job::start` looks for.
pub const COMMAND: &str = "__ping-pong";

/// Runs the ping-pong on this rank; the exit code to leave with (the same on every rank).
pub fn run(world: &SimpleCommunicator) -> u8 {
    let (rank, size) = (world.rank(), world.size());
    let args = match Cli::try_parse() {
        Ok(Cli {
            command: Command::PingPong(a),
        }) => a,
        Ok(_) => unreachable!("called for {COMMAND} only"),
        Err(e) => {
            if rank == 0 {
                let rendered = e.render().to_string();
                eprintln!("{}", rendered.lines().next().unwrap_or("invalid arguments"));
            }
            return 2;
        }
    };
    if size < 2 {
        eprintln!("error: the ping-pong needs 2 ranks: run `mpirun -np 2 native-runner {COMMAND}`");
        return 2;
    }
    let mut sizes = Vec::new();
    for &bytes in &args.bytes {
        let batches = batches(world, &args, bytes);
        if rank == 0 {
            let mut one_way: Vec<f64> = batches
                .iter()
                .map(|t| t / (2.0 * f64::from(args.round_trips.max(1))) * 1e6)
                .collect();
            let batches_us = one_way.clone();
            one_way.sort_by(f64::total_cmp);
            sizes.push(json!({
                "bytes": bytes,
                "one_way_us": one_way[one_way.len() / 2],
                "min_one_way_us": one_way[0],
                "batches_one_way_us": batches_us,
            }));
        }
    }
    world.barrier();
    if rank == 0 {
        let library = crate::ranks::library_name();
        let out = json!({
            "ranks": size,
            "round_trips": args.round_trips,
            "batches": args.batches.max(1),
            "btl": std::env::var("OMPI_MCA_btl").ok(),
            "library": library,
            "clock_resolution_s": mpi::time_resolution(),
            "sizes": sizes,
        });
        println!("{out}");
    }
    0
}

/// One untimed batch, then `args.batches` timed ones, of `bytes`-byte round trips between
/// ranks 0 and 1; each timed batch's seconds (rank 0's clock; empty on other ranks).
fn batches(world: &SimpleCommunicator, args: &PingPongArgs, bytes: usize) -> Vec<f64> {
    let rank = world.rank();
    let mut buf = vec![0u8; bytes];
    let mut times = Vec::new();
    for batch in 0..=args.batches.max(1) {
        world.barrier();
        let t0 = mpi::time();
        if rank == 0 {
            let peer = world.process_at_rank(1);
            for _ in 0..args.round_trips {
                peer.send(&buf[..]);
                peer.receive_into(&mut buf[..]);
            }
        } else if rank == 1 {
            let peer = world.process_at_rank(0);
            for _ in 0..args.round_trips {
                peer.receive_into(&mut buf[..]);
                peer.send(&buf[..]);
            }
        }
        let elapsed = mpi::time() - t0;
        if rank == 0 && batch > 0 {
            times.push(elapsed);
        }
    }
    times
}
