//! Running under an MPI launcher (`mpirun -np N native-runner ...`): every process runs this
//! program; rank 0 runs the command and drives the others, which only serve it
//! ([`engine::model::mpi::serve`]) until it says the job is over.
//!
//! MPI itself is the `mpi` cargo feature (rsmpi over Open MPI or MPICH); without it this module
//! only recognizes a launcher and says what to build. What the launcher set in the environment
//! is read before MPI starts, which is how a library that does not match the launcher is caught:
//! its processes each start as "rank 0 of 1".

use std::sync::{Arc, OnceLock};

use engine::model::mpi::{RankInfo, Ranks};

use crate::cli::CliError;

/// The job's ranks, as rank 0 sees them; set once, before the command runs.
static RANKS: OnceLock<Arc<dyn Ranks>> = OnceLock::new();

/// Every rank's description, as rank 0 gathered it when the job started.
static DESCRIBED: OnceLock<Vec<RankInfo>> = OnceLock::new();

/// The ranks this process drives, when it is rank 0 of an MPI job.
pub fn current() -> Option<Arc<dyn Ranks>> {
    RANKS.get().cloned()
}

/// The job's ranks, with their hosts and cores, when this process is rank 0 of an MPI job;
/// empty otherwise.
pub fn described() -> &'static [RankInfo] {
    DESCRIBED.get().map_or(&[], Vec::as_slice)
}

/// How this process describes itself as rank `rank` on `host`.
#[cfg_attr(not(feature = "mpi"), allow(dead_code))]
fn me(rank: usize, host: &str) -> RankInfo {
    RankInfo {
        rank,
        host: host.to_string(),
        cores: crate::machine::process_cores(),
        host_cores: crate::machine::host_cores(),
        cpus: crate::machine::allowed_cpus(),
    }
}

/// What a launcher said about this process before MPI started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    /// The launcher, in words.
    pub name: &'static str,
    pub size: usize,
    pub rank: usize,
}

impl Launcher {
    /// The launcher that started this process, if one did: Open MPI's `mpirun`, MPICH's Hydra
    /// (`mpiexec`), or Slurm's `srun`.
    pub fn from_env() -> Option<Launcher> {
        const KNOWN: [(&str, &str, &str); 3] = [
            (
                "Open MPI's mpirun",
                "OMPI_COMM_WORLD_SIZE",
                "OMPI_COMM_WORLD_RANK",
            ),
            ("MPICH's mpiexec", "PMI_SIZE", "PMI_RANK"),
            // A step's own count: SLURM_NTASKS is set in a whole allocation, batch script
            // included, where a plain command is not an MPI job.
            ("Slurm's srun", "SLURM_STEP_NUM_TASKS", "SLURM_PROCID"),
        ];
        KNOWN.iter().find_map(|&(name, size, rank)| {
            let read = |var: &str| std::env::var(var).ok()?.trim().parse::<usize>().ok();
            Some(Launcher {
                name,
                size: read(size)?,
                rank: read(rank)?,
            })
        })
    }
}

/// The MPI library's name and version ("Open MPI v4.1.4"), without the rest of what
/// `MPI_Get_library_version` says (and the NUL that Open MPI ends it with).
#[cfg(feature = "mpi")]
pub fn library_name() -> String {
    mpi::environment::library_version()
        .map(|v| {
            let v = v.trim_end_matches('\0');
            v.split([',', '\n']).next().unwrap_or(v).trim().to_string()
        })
        .unwrap_or_default()
}

/// The command line again, for a message that says what to run instead.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .and_then(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "native-runner".into());
    std::iter::once(program)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why this process cannot run a model whose workers are MPI ranks, if it cannot: built without
/// MPI, not started by a launcher, or started as the only rank. Each says what to run instead.
pub fn why_not(workers: u32) -> Option<CliError> {
    let ranks = workers.max(2);
    if !cfg!(feature = "mpi") {
        return Some(CliError::Usage(format!(
            "this native-runner was built without MPI: install Open MPI (scripts/setup-mpi.sh), build with `cargo build --release -p native-runner --features mpi`, then run `mpirun -np {ranks} {}`",
            command_line()
        )));
    }
    match (current(), Launcher::from_env()) {
        (Some(r), _) if r.size() >= 2 && r.size() >= workers as usize => None,
        (Some(r), _) if r.size() >= 2 => Some(CliError::Usage(engine::model::mpi::too_few_ranks(
            workers as usize,
            r.size(),
            &command_line(),
        ))),
        (Some(_), _) | (None, Some(_)) => Some(CliError::Usage(format!(
            "the mpi model needs 2 ranks or more, and this job has 1: run `mpirun -np {ranks} {}`",
            command_line()
        ))),
        (None, None) => Some(CliError::Usage(format!(
            "the mpi model runs under an MPI launcher: run `mpirun -np {ranks} {}`",
            command_line()
        ))),
    }
}

/// MPI for this process, from the start of `main` to its end.
pub struct Job {
    #[cfg(feature = "mpi")]
    inner: Option<mpi_job::Root>,
}

/// What starting MPI decided for this process.
pub enum Start {
    /// Run the command (alone, or as rank 0 of a job); call [`Job::finish`] at the end.
    Command(Job),
    /// This process was another rank: it served rank 0 and is done, with this exit code.
    Served(u8),
}

impl Job {
    /// Starts MPI if a launcher started this process (and the binary has MPI); a rank other than
    /// 0 serves rank 0 here and returns [`Start::Served`].
    pub fn start() -> Result<Start, CliError> {
        #[cfg(feature = "mpi")]
        {
            // A process-pool worker started by a rank inherits the launcher's environment, but
            // it is the rank's child, not a rank.
            let pool_worker =
                std::env::args().nth(1).as_deref() == Some(crate::cli::WORKER_COMMAND);
            if let Some(launcher) = Launcher::from_env().filter(|_| !pool_worker) {
                return mpi_job::start(launcher);
            }
        }
        // Without MPI every process the launcher started would run the whole command: say so
        // instead, on each (a process-pool worker is not the launcher's, whatever it inherited).
        #[cfg(not(feature = "mpi"))]
        if let Some(l) = Launcher::from_env().filter(|l| l.size > 1)
            && std::env::args().nth(1).as_deref() != Some(crate::cli::WORKER_COMMAND)
        {
            return Err(CliError::Usage(format!(
                "{} started {} copies of a native-runner built without MPI, and each would run the whole command: build it with `cargo build --release -p native-runner --features mpi` (scripts/setup-mpi.sh installs Open MPI), or run it without the launcher",
                l.name, l.size
            )));
        }
        Ok(Start::Command(Job {
            #[cfg(feature = "mpi")]
            inner: None,
        }))
    }

    /// Ends the job: rank 0 tells every other rank it is over; a rank that does not answer (stuck
    /// in a task that hangs) makes rank 0 abort the job instead, which ends it. Returns the exit
    /// code to leave with.
    pub fn finish(self, code: u8) -> u8 {
        #[cfg(feature = "mpi")]
        if let Some(root) = self.inner {
            return root.finish(code);
        }
        code
    }
}

#[cfg(feature = "mpi")]
mod mpi_job {
    //! The transport over MPI: byte messages with non-blocking sends, so that rank 0 sending a
    //! large message to a rank that is sending one back cannot deadlock the two (a blocking
    //! send of a large message waits for the receiver to post its receive).

    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex, OnceLock};
    use std::time::Duration;

    use engine::model::mpi::{self as mpi_model, Ranks};
    use mpi::Threading;
    use mpi::point_to_point::MatchedReceiveVec;
    use mpi::request::{Request, StaticScope};
    use mpi::topology::SimpleCommunicator;
    use mpi::traits::*;

    use super::{Launcher, Start};
    use crate::cli::CliError;

    /// The longest host name kept: names are gathered in fixed-size slots.
    const HOST_BYTES: usize = 256;

    /// Probes per [`Ranks::try_recv`].
    const PROBES: usize = 4;

    /// How long rank 0 waits for every rank to describe itself at the start.
    const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(30);

    /// How long rank 0 waits for every rank to acknowledge the end of the job.
    const FINISH_GRACE: Duration = Duration::from_secs(2);

    /// A send in flight and the buffer it reads, which must live until it completes.
    struct Pending {
        request: Request<'static, [u8]>,
        buffer: *mut [u8],
    }

    /// The MPI state every call goes through, behind one lock: MPI was started with
    /// `MPI_THREAD_SERIALIZED` (calls from any thread, one at a time), and the experiment runs
    /// on a thread of its own.
    struct Transport {
        pending: std::collections::VecDeque<Pending>,
    }

    // SAFETY: the request handles and buffers in `pending` are only touched with the lock held,
    // by one thread at a time, which is what MPI_THREAD_SERIALIZED allows.
    unsafe impl Send for Transport {}

    impl Transport {
        fn world() -> SimpleCommunicator {
            SimpleCommunicator::world()
        }

        /// Completes the sends that are done, oldest first, and frees their buffers. It stops at
        /// the first send still under way: sends mostly complete in the order they started, and
        /// testing every one at every call would cost the number of sends in flight each time (a
        /// static schedule starts one per chunk at once).
        fn progress(&mut self) {
            while let Some(p) = self.pending.pop_front() {
                match p.request.test() {
                    Ok(_) => {
                        // SAFETY: `buffer` came from `Box::into_raw` in `send`, and the send that
                        // read it has completed, so nothing refers to it any more.
                        drop(unsafe { Box::from_raw(p.buffer) });
                    }
                    Err(request) => {
                        self.pending.push_front(Pending {
                            request,
                            buffer: p.buffer,
                        });
                        return;
                    }
                }
            }
        }
    }

    struct MpiRanks {
        rank: usize,
        size: usize,
        hosts: Vec<String>,
        transport: Mutex<Transport>,
    }

    impl std::fmt::Debug for MpiRanks {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "MPI rank {} of {}", self.rank, self.size)
        }
    }

    impl MpiRanks {
        fn lock(&self) -> std::sync::MutexGuard<'_, Transport> {
            self.transport.lock().unwrap_or_else(|e| e.into_inner())
        }

        /// Waits until every send has completed (before MPI_Finalize).
        fn flush(&self) {
            let mut idle = mpi_model::Idle::new();
            loop {
                let mut t = self.lock();
                t.progress();
                if t.pending.is_empty() {
                    return;
                }
                drop(t);
                idle.wait();
            }
        }
    }

    impl Ranks for MpiRanks {
        fn rank(&self) -> usize {
            self.rank
        }

        fn size(&self) -> usize {
            self.size
        }

        fn hosts(&self) -> &[String] {
            &self.hosts
        }

        fn send(&self, to: usize, bytes: Vec<u8>) -> Result<(), String> {
            if to >= self.size {
                return Err(format!("there is no rank {to} of {}", self.size));
            }
            let mut t = self.lock();
            t.progress();
            let buffer: &'static mut [u8] = Box::leak(bytes.into_boxed_slice());
            let ptr: *mut [u8] = buffer;
            // SAFETY: the buffer lives until `progress` sees the send complete.
            let request = Transport::world()
                .process_at_rank(to as i32)
                .immediate_send(StaticScope, unsafe { &*ptr });
            t.pending.push_back(Pending {
                request,
                buffer: ptr,
            });
            Ok(())
        }

        fn try_recv(&self) -> Result<Option<(usize, Vec<u8>)>, String> {
            let mut t = self.lock();
            t.progress();
            let world = Transport::world();
            // One probe may only move the library's progress engine along (a message that came
            // while this rank computed is then matched by the next probe), so a few are made
            // before saying that nothing has come: otherwise rank 0 would start its own next
            // chunk with a rank's request unanswered.
            for _ in 0..PROBES {
                if let Some(probed) = world.any_process().immediate_matched_probe() {
                    let (bytes, status) = probed.matched_receive_vec::<u8>();
                    return Ok(Some((status.source_rank() as usize, bytes)));
                }
            }
            Ok(None)
        }
    }

    /// Rank 0's hold on MPI: the universe (finalized when dropped) and the ranks.
    pub(super) struct Root {
        universe: mpi::environment::Universe,
        ranks: Arc<MpiRanks>,
    }

    impl Root {
        pub(super) fn finish(self, code: u8) -> u8 {
            if self.ranks.size > 1 && !mpi_model::shutdown(&*self.ranks, FINISH_GRACE) {
                eprintln!(
                    "error: a rank did not answer the end of the job within {} s (still in a task); aborting the job",
                    FINISH_GRACE.as_secs()
                );
                self.universe.world().abort(i32::from(code.max(1)));
            }
            finalize(self.universe, Some(&self.ranks));
            code
        }
    }

    /// Set just before `MPI_Finalize`: no MPI call may follow it.
    static FINALIZED: AtomicBool = AtomicBool::new(false);

    /// This process's transport, for the panic hook.
    static TRANSPORT: OnceLock<Arc<MpiRanks>> = OnceLock::new();

    /// Ends MPI for this process (completing its sends first).
    fn finalize(universe: mpi::environment::Universe, ranks: Option<&MpiRanks>) {
        if let Some(r) = ranks {
            r.flush();
        }
        FINALIZED.store(true, Ordering::SeqCst);
        drop(universe);
    }

    /// The panic hook under MPI. A task's panic is the engine's to report (rank 0 fails the run
    /// with its message). Any other panic on a rank other than 0, or on rank 0's main thread,
    /// would leave the other ranks waiting in vain (unwinding the main thread finalizes MPI,
    /// which waits for them): after the usual message it aborts the whole job. A panic of one
    /// of rank 0's other threads is printed and left to the code that catches it (the
    /// experiment's thread reports it as a failed run, and the job then ends as usual).
    fn abort_on_panic(rank: usize) {
        // The standard hook, which prints every panic, from whichever thread.
        drop(std::panic::take_hook());
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if engine::model::in_task() {
                return;
            }
            default_hook(info);
            let main = std::thread::current().name() == Some("main");
            if (rank != 0 || main) && !FINALIZED.load(Ordering::SeqCst) {
                // MPI_THREAD_SERIALIZED: wait (briefly) for a call under way on another thread.
                let _guard = TRANSPORT.get().and_then(|t| {
                    let deadline = std::time::Instant::now() + Duration::from_millis(200);
                    loop {
                        match t.transport.try_lock() {
                            Ok(g) => break Some(g),
                            Err(_) if std::time::Instant::now() < deadline => {
                                std::thread::yield_now()
                            }
                            Err(_) => break None,
                        }
                    }
                });
                SimpleCommunicator::world().abort(101);
            }
        }));
    }

    fn host_name() -> String {
        mpi::environment::processor_name()
            .map(|n| n.trim_end_matches('\0').to_string())
            .unwrap_or_else(|_| "unknown".into())
    }

    pub(super) fn start(launcher: Launcher) -> Result<Start, CliError> {
        let Some((universe, threading)) = mpi::initialize_with_threading(Threading::Serialized)
        else {
            return Err(CliError::Io("MPI was already started".into()));
        };
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        if size != launcher.size {
            // Every process is "rank 0 of 1": say it once, from the launcher's rank 0.
            if launcher.rank == 0 {
                let library = super::library_name();
                eprintln!(
                    "error: {} started {} processes, but MPI here sees a job of {size} (this binary's MPI library, {library}, is not the launcher's): start it with the launcher of the MPI it was built with",
                    launcher.name, launcher.size
                );
            }
            return Ok(Start::Served(2));
        }
        if matches!(threading, Threading::Single | Threading::Funneled) {
            return Err(CliError::Io(format!(
                "this MPI library offers threading level {threading:?}; the native runner needs Serialized"
            )));
        }
        abort_on_panic(rank);
        if std::env::args().nth(1).as_deref() == Some(crate::ping_pong::COMMAND) {
            let code = crate::ping_pong::run(&world);
            finalize(universe, None);
            return Ok(Start::Served(code));
        }
        // Every rank's host, in rank order: a collective, so also the moment every rank is up.
        let mut mine = [0u8; HOST_BYTES];
        let name = host_name();
        let n = name.len().min(HOST_BYTES);
        mine[..n].copy_from_slice(&name.as_bytes()[..n]);
        let mut all = vec![0u8; HOST_BYTES * size];
        world.all_gather_into(&mine[..], &mut all[..]);
        let hosts = all
            .chunks(HOST_BYTES)
            .map(|c| {
                let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
                String::from_utf8_lossy(&c[..end]).into_owned()
            })
            .collect();
        let ranks = Arc::new(MpiRanks {
            rank,
            size,
            hosts,
            transport: Mutex::new(Transport {
                pending: std::collections::VecDeque::new(),
            }),
        });
        let _ = TRANSPORT.set(ranks.clone());
        let me = super::me(rank, &ranks.hosts[rank]);
        if rank != 0 {
            // Launchers that pass Ctrl-C on to every rank (MPICH's, Slurm's) would end the
            // serving ranks under rank 0's stop, which keeps what ran and then ends the job.
            let _ = ctrlc::set_handler(|| {});
            let code = match mpi_model::serve(&*ranks, &me) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: rank {rank}: {e}");
                    world.abort(1);
                }
            };
            finalize(universe, Some(&ranks));
            return Ok(Start::Served(code));
        }
        if size > 1 {
            match mpi_model::describe(&*ranks, me, DESCRIBE_TIMEOUT) {
                Ok(all) => {
                    let _ = super::DESCRIBED.set(all);
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    world.abort(1);
                }
            }
        }
        let _ = super::RANKS.set(ranks.clone());
        Ok(Start::Command(super::Job {
            inner: Some(Root { universe, ranks }),
        }))
    }
}
