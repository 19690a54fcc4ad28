//! The process pool's whole run, driven without I/O: a [`PoolRun`] and in-process
//! [`WorkerSession`]s exchanging the messages as JSON text, delivered in orders chosen by the
//! test. The native OS processes (`models.rs`, `failures.rs`) and the browser's Workers move the
//! same messages; here every interleaving the test picks must give the sequential answer, every
//! task's record once, the handshake in its order, and each stage's outputs to every worker
//! before the next stage's work.

use std::collections::VecDeque;

use engine::messages::{FromWorker, ToWorker};
use engine::model::RunControl;
use engine::model::pool_protocol::{PINGS, PoolRun, WorkerSession};
use engine::spec::{ModelSpec, ParamValue, WorkloadSpec};
use engine::{ModelKind, RunConfig, RunEnv, RunError, RunOutcome, WorkloadKind, run_once};
use web_time::Instant;

fn spec(kind: WorkloadKind, n: u64, tasks: Option<u64>) -> WorkloadSpec {
    let mut w = WorkloadSpec::new(kind);
    w.set("n", ParamValue::Int(n)).expect("n in range");
    if let Some(t) = tasks {
        w.set("tasks", ParamValue::Int(t)).expect("tasks in range");
    }
    w
}

fn config(workload: WorkloadSpec, workers: usize, chunk_size: Option<u64>) -> RunConfig {
    let mut model = ModelSpec::new(ModelKind::ProcessPool);
    model.chunk_size = chunk_size;
    RunConfig {
        workload,
        model,
        workers,
        timeline: true,
    }
}

/// Every message one run exchanged, in the order it happened.
#[derive(Debug, Default)]
struct Transcript {
    /// `(worker, request)` in the order the parent sent them.
    sent: Vec<(usize, ToWorker)>,
}

/// A small deterministic generator (xorshift), so a failing interleaving can be replayed.
struct Picker(u64);

impl Picker {
    fn pick(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Runs `cfg` on a [`PoolRun`] with in-process workers. Each worker handles its requests in the
/// order sent (a pipe or a Worker's message queue keeps order); which worker goes next is
/// chosen by `seed`, and every reply reaches the parent at once, one parent millisecond later.
fn drive(cfg: &RunConfig, seed: u64) -> Result<(RunOutcome, Transcript), RunError> {
    let control = RunControl::default();
    let mut run = PoolRun::new(cfg, &control)?;
    let mut sessions: Vec<WorkerSession> = (0..cfg.workers).map(|_| WorkerSession::new()).collect();
    let mut inbox: Vec<VecDeque<String>> = vec![VecDeque::new(); cfg.workers];
    let mut transcript = Transcript::default();
    let mut send = |inbox: &mut Vec<VecDeque<String>>, msgs: Vec<(usize, ToWorker)>| {
        for (to, msg) in msgs {
            inbox[to].push_back(serde_json::to_string(&msg).unwrap());
            transcript.sent.push((to, msg));
        }
    };
    let mut picker = Picker(seed | 1);
    let mut now = 0.0;
    let first = run.start(Instant::now());
    send(&mut inbox, first);
    while !run.finished() {
        let waiting: Vec<usize> = (0..cfg.workers).filter(|&w| !inbox[w].is_empty()).collect();
        assert!(
            !waiting.is_empty(),
            "the run waits for a reply that no worker owes"
        );
        let w = waiting[picker.pick(waiting.len())];
        let request = inbox[w].pop_front().unwrap();
        if let Some(reply) = sessions[w].handle_json(&request) {
            now += 0.001;
            let reply: FromWorker = serde_json::from_str(&reply).unwrap();
            let next = run.on_message(w, reply, now)?;
            send(&mut inbox, next);
        }
    }
    assert!(
        inbox
            .iter()
            .all(|q| q.iter().all(|m| m.contains("end_stage"))),
        "requests left unanswered at the end: {inbox:?}"
    );
    assert!(
        control
            .tasks_done
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0,
        "progress was counted"
    );
    Ok((run.finish(now), transcript))
}

fn sequential_answer(cfg: &RunConfig) -> engine::Answer {
    let mut seq = cfg.clone();
    seq.model = ModelSpec::new(ModelKind::Sequential);
    seq.workers = 1;
    run_once(&seq, &RunEnv::default()).unwrap().answer
}

/// Stage sizes of a workload, from a sequential run's records.
fn stage_tasks(outcome: &RunOutcome) -> Vec<usize> {
    let mut sizes = Vec::new();
    for r in &outcome.records.tasks {
        let s = r.stage as usize;
        if sizes.len() <= s {
            sizes.resize(s + 1, 0);
        }
        sizes[s] += 1;
    }
    sizes
}

#[test]
fn every_interleaving_gives_the_sequential_answer_and_every_record_once() {
    let cases = [
        // Several stages, each needing the previous one's outputs.
        spec(WorkloadKind::SpectralNorm, 20, Some(7)),
        spec(WorkloadKind::Primes, 3_000, Some(13)),
        spec(WorkloadKind::Square, 50, None),
    ];
    for workload in cases {
        for workers in 1..=3 {
            for chunk in [None, Some(1), Some(4)] {
                let cfg = config(workload.clone(), workers, chunk);
                let expected = sequential_answer(&cfg);
                for seed in [1, 7, 12345] {
                    let what = format!(
                        "{} workers={workers} chunk={chunk:?} seed={seed}",
                        workload.name
                    );
                    let (outcome, _) = drive(&cfg, seed).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(outcome.answer, expected, "{what}");
                    let sizes = stage_tasks(&outcome);
                    for (stage, &n) in sizes.iter().enumerate() {
                        let mut seen: Vec<u32> = outcome
                            .records
                            .tasks
                            .iter()
                            .filter(|r| r.stage as usize == stage)
                            .map(|r| r.task)
                            .collect();
                        seen.sort_unstable();
                        assert_eq!(
                            seen,
                            (0..n as u32).collect::<Vec<_>>(),
                            "{what} stage {stage}"
                        );
                    }
                    assert!(
                        outcome
                            .records
                            .tasks
                            .iter()
                            .all(|r| (r.worker as usize) < workers),
                        "{what}"
                    );
                    assert_eq!(
                        outcome.records.per_worker.iter().sum::<u64>(),
                        outcome.records.tasks.len() as u64,
                        "{what}"
                    );
                    // The chunk size reported is the one used in the largest stage.
                    let largest = sizes.iter().copied().max().unwrap();
                    let want = chunk.unwrap_or_else(|| {
                        ModelKind::ProcessPool
                            .info()
                            .default_chunk(largest, workers) as u64
                    });
                    assert_eq!(outcome.chunk_size, Some(want), "{what}");
                }
            }
        }
    }
}

#[test]
fn the_handshake_readies_every_worker_then_times_each_in_turn() {
    let cfg = config(spec(WorkloadKind::Primes, 3_000, Some(13)), 3, None);
    let (_, transcript) = drive(&cfg, 99).unwrap();
    let sent = &transcript.sent;
    // Init to every worker, first.
    for (w, (to, msg)) in sent.iter().take(3).enumerate() {
        assert_eq!(*to, w);
        assert!(
            matches!(msg, ToWorker::Init { timeline: true, .. }),
            "{msg:?}"
        );
    }
    // Then PINGS pings to worker 0, then to worker 1, then to worker 2, nothing in between.
    let pings: Vec<usize> = sent[3..3 + 3 * PINGS]
        .iter()
        .map(|(to, msg)| {
            assert_eq!(*msg, ToWorker::Ping);
            *to
        })
        .collect();
    let want: Vec<usize> = (0..3).flat_map(|w| std::iter::repeat_n(w, PINGS)).collect();
    assert_eq!(pings, want);
    assert!(
        sent[3 + 3 * PINGS..]
            .iter()
            .all(|(_, m)| matches!(m, ToWorker::Run { .. } | ToWorker::EndStage { .. })),
        "after the handshake only work and stage ends"
    );
}

#[test]
fn each_stage_reaches_every_worker_before_the_next_stage_runs() {
    let cfg = config(spec(WorkloadKind::SpectralNorm, 20, Some(7)), 3, Some(2));
    let (outcome, transcript) = drive(&cfg, 5).unwrap();
    let stages = stage_tasks(&outcome).len();
    assert!(stages > 1, "spectral-norm has several stages");
    for w in 0..3 {
        let mine: Vec<&ToWorker> = transcript
            .sent
            .iter()
            .filter(|(to, _)| *to == w)
            .map(|(_, m)| m)
            .collect();
        let mut stage = 0;
        for msg in mine {
            match msg {
                ToWorker::Run { stage: s, .. } => assert_eq!(*s, stage, "worker {w} ran ahead"),
                ToWorker::EndStage { stage: s, outputs } => {
                    assert_eq!(*s, stage);
                    assert!(!outputs.is_empty());
                    stage += 1;
                }
                _ => {}
            }
        }
        assert_eq!(
            stage,
            stages - 1,
            "worker {w}: every stage but the last replayed"
        );
    }
}

/// Feeds the run a reply of the host's choosing after its handshake, or during it.
fn first_messages(cfg: &RunConfig) -> (PoolRun, Vec<(usize, ToWorker)>) {
    let mut run = PoolRun::new(cfg, &RunControl::default()).unwrap();
    let init = run.start(Instant::now());
    (run, init)
}

#[test]
fn a_worker_out_of_step_fails_the_run_with_what_it_sent() {
    let cfg = config(spec(WorkloadKind::Primes, 3_000, Some(13)), 2, None);

    let (mut run, _) = first_messages(&cfg);
    match run.on_message(1, FromWorker::Pong { clock: 0.0 }, 0.1) {
        Err(RunError::Protocol(m)) => assert!(m.contains("before Ready"), "{m}"),
        other => panic!("{other:?}"),
    }

    let (mut run, _) = first_messages(&cfg);
    match run.on_message(
        0,
        FromWorker::Error {
            message: "no job".into(),
        },
        0.1,
    ) {
        Err(RunError::Protocol(m)) => assert_eq!(m, "worker 0: no job"),
        other => panic!("{other:?}"),
    }

    let (mut run, _) = first_messages(&cfg);
    assert!(
        run.on_message(0, FromWorker::Ready, 0.1)
            .unwrap()
            .is_empty()
    );
    let ping = run.on_message(1, FromWorker::Ready, 0.2).unwrap();
    assert_eq!(ping, vec![(0, ToWorker::Ping)]);
    match run.on_message(1, FromWorker::Pong { clock: 0.0 }, 0.3) {
        Err(RunError::Protocol(m)) => assert!(m.contains("instead of Pong"), "{m}"),
        other => panic!("{other:?}"),
    }

    let (mut run, _) = first_messages(&cfg);
    match run.on_message(2, FromWorker::Ready, 0.1) {
        Err(RunError::Protocol(m)) => assert!(m.contains("worker 2 of 2"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_task_that_failed_in_a_worker_fails_the_run() {
    let cfg = config(spec(WorkloadKind::Primes, 3_000, Some(13)), 1, None);
    let (mut run, _) = first_messages(&cfg);
    let mut out = run.on_message(0, FromWorker::Ready, 0.0).unwrap();
    for i in 0..PINGS {
        assert_eq!(out, vec![(0, ToWorker::Ping)]);
        out = run
            .on_message(0, FromWorker::Pong { clock: 0.0 }, i as f64)
            .unwrap();
    }
    assert!(
        matches!(
            out.first(),
            Some((
                0,
                ToWorker::Run {
                    stage: 0,
                    start: 0,
                    ..
                }
            ))
        ),
        "{out:?}"
    );
    let failed = FromWorker::Failed {
        stage: 0,
        task: 3,
        message: "boom".into(),
    };
    match run.on_message(0, failed, 1.0) {
        Err(RunError::TaskPanicked {
            stage: 0,
            task: 3,
            message,
        }) => assert_eq!(message, "boom"),
        other => panic!("{other:?}"),
    }
    assert!(!run.finished());
}

#[test]
fn an_unsupported_configuration_is_refused_before_any_worker_starts() {
    let cfg = config(spec(WorkloadKind::Primes, 3_000, Some(13)), 0, None);
    match PoolRun::new(&cfg, &RunControl::default()) {
        Err(RunError::Unsupported { reason, .. }) => {
            assert!(reason.contains("workers"), "{reason}")
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("zero workers accepted"),
    }
}
