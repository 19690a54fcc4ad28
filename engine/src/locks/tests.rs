use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};

use super::*;

/// A worker as the table sees it, with a stop switch for the halting test.
struct W<'a> {
    worker: u32,
    stop: &'a AtomicBool,
}

impl Taker for W<'_> {
    fn worker(&self) -> u32 {
        self.worker
    }
    fn task(&self) -> u32 {
        self.worker + 10
    }
    fn now(&self) -> f64 {
        0.5
    }
    fn halted(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

fn deadlock(r: Result<f64, NoLock>) -> Deadlock {
    match r {
        Err(NoLock::Deadlock(d)) => d,
        other => panic!("expected a deadlock, got {other:?}"),
    }
}

/// Each of `n` workers takes lock i, all meet at a barrier, then each asks for lock i + 1: the
/// last to ask closes the cycle, whatever the timing, and every one of them is told.
#[test]
fn a_cycle_is_found_whoever_closes_it() {
    for n in [2u32, 3, 5] {
        let table = LockTable::new("fork", n as usize);
        let stop = AtomicBool::new(false);
        let barrier = Barrier::new(n as usize);
        let cycles: Vec<Deadlock> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..n)
                .map(|w| {
                    let (table, stop, barrier) = (&table, &stop, &barrier);
                    s.spawn(move || {
                        let me = W { worker: w, stop };
                        table.lock(w as usize, &me).unwrap();
                        barrier.wait();
                        deadlock(table.lock(((w + 1) % n) as usize, &me))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let expected: Vec<String> = (0..n)
            .map(|w| {
                format!(
                    "worker {w} holds fork {w} and waits for fork {}",
                    (w + 1) % n
                )
            })
            .collect();
        for d in &cycles {
            assert_eq!(d, &cycles[0], "everyone is told of the same cycle");
            assert_eq!(d.to_string(), format!("deadlock: {}", expected.join("; ")));
            assert_eq!(d.cycle[0].task, 10);
        }
        // Every later request fails at once rather than blocking.
        let late = W {
            worker: 0,
            stop: &stop,
        };
        assert!(matches!(table.lock(0, &late), Err(NoLock::Deadlock(_))));
    }
}

#[test]
fn taking_a_lock_twice_is_the_shortest_cycle() {
    let table = LockTable::new("mutex", 1);
    let stop = AtomicBool::new(false);
    let me = W {
        worker: 3,
        stop: &stop,
    };
    table.lock(0, &me).unwrap();
    let d = deadlock(table.lock(0, &me));
    assert_eq!(
        d.to_string(),
        "deadlock: worker 3 holds mutex and waits for mutex"
    );
}

/// A chain of waits that does not come back is not a deadlock: the holder goes on, releases,
/// and the waiter gets the lock.
#[test]
fn a_chain_without_a_cycle_waits_and_goes_on() {
    let table = LockTable::new("fork", 2);
    let stop = AtomicBool::new(false);
    let holder = W {
        worker: 0,
        stop: &stop,
    };
    table.lock(0, &holder).unwrap();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let me = W {
                worker: 1,
                stop: &stop,
            };
            table.lock(1, &me).unwrap();
            table
                .lock(0, &me)
                .expect("waits for worker 0, which is not waiting");
            table.unlock(0, &me);
            table.unlock(1, &me);
        });
        // Released only once the waiter is blocked on it, so the wake-up is what is tested.
        while !table.is_waiting(1) {
            std::thread::yield_now();
        }
        table.unlock(0, &holder);
        waiter.join().unwrap();
    });
    let c = table.counts();
    assert_eq!(c.acquisitions, vec![1, 2]);
    assert_eq!(c.retries, 0);
}

#[test]
fn a_stop_wakes_a_blocked_worker() {
    let table = LockTable::new("fork", 1);
    let stop = AtomicBool::new(false);
    let holder = W {
        worker: 0,
        stop: &stop,
    };
    table.lock(0, &holder).unwrap();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            table.lock(
                0,
                &W {
                    worker: 1,
                    stop: &stop,
                },
            )
        });
        stop.store(true, Ordering::Relaxed);
        assert_eq!(waiter.join().unwrap(), Err(NoLock::Halted));
    });
}

#[test]
fn try_lock_counts_retries() {
    let table = LockTable::new("fork", 1);
    let stop = AtomicBool::new(false);
    let (a, b) = (
        W {
            worker: 0,
            stop: &stop,
        },
        W {
            worker: 1,
            stop: &stop,
        },
    );
    assert!(table.try_lock(0, &a));
    assert!(!table.try_lock(0, &b));
    assert!(!table.try_lock(0, &b));
    table.unlock(0, &a);
    assert!(table.try_lock(0, &b));
    let c = table.counts();
    assert_eq!((c.acquisitions, c.retries), (vec![1, 1], 2));
}

#[test]
fn jain_index() {
    assert_eq!(jain(&[5, 5, 5, 5]), 1.0);
    assert_eq!(jain(&[8, 0, 0, 0]), 0.25);
    assert!((jain(&[3, 1]) - 0.8).abs() < 1e-12);
    assert_eq!(jain(&[]), 1.0);
    // Over the workers that ran tasks: an idle worker does not count, a starved one does.
    let counts = LockCounts {
        acquisitions: vec![6, 0, 0],
        ..LockCounts::default()
    };
    assert_eq!(
        LockStats::of(counts.clone(), &[1, 0, 0]).fairness,
        Some(1.0)
    );
    assert_eq!(
        LockStats::of(counts.clone(), &[1, 1, 0]).fairness,
        Some(0.5)
    );
    // Shares fixed by the tasks measure nothing: no index.
    let fixed = LockCounts {
        equal_by_design: true,
        ..counts
    };
    assert_eq!(LockStats::of(fixed, &[1, 1, 0]).fairness, None);
}
