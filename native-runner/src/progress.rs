//! The progress bar on stderr: shown only when stderr is a terminal and only once a run has
//! lasted longer than a moment, so quick runs and piped output stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use engine::measure::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// How long a run goes before the bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(400);

#[derive(Default)]
struct Shared {
    runs_done: AtomicU64,
    runs_total: AtomicU64,
    label: Mutex<String>,
    finished: AtomicBool,
}

/// Watches an experiment and draws its progress.
pub struct ProgressReporter {
    shared: Arc<Shared>,
    ticker: Mutex<Option<JoinHandle<()>>>,
}

impl ProgressReporter {
    /// Starts watching. `tasks_done` is the engine's task counter, shown as a rate.
    pub fn start(tasks_done: Arc<AtomicU64>) -> Self {
        let shared = Arc::new(Shared::default());
        let ticker = std::io::stderr().is_terminal().then(|| {
            let shared = shared.clone();
            std::thread::spawn(move || draw(&shared, &tasks_done))
        });
        ProgressReporter {
            shared,
            ticker: Mutex::new(ticker),
        }
    }

    /// The callback to hand to `run_experiment`.
    pub fn observe(&self, p: Progress) {
        *self.shared.label.lock().unwrap_or_else(|e| e.into_inner()) = format!(
            "[{}/{}] {}, {} workers",
            p.config + 1,
            p.configs,
            p.model,
            p.workers
        );
        self.shared
            .runs_done
            .store(u64::from(p.done), Ordering::Relaxed);
        self.shared
            .runs_total
            .store(u64::from(p.total), Ordering::Relaxed);
    }
}

impl ProgressReporter {
    /// Clears the bar and stops drawing; the experiment may still hold the reporter (a stopped
    /// run whose task is stuck).
    pub fn finish(&self) {
        self.shared.finished.store(true, Ordering::Relaxed);
        let ticker = self.ticker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = ticker {
            let _ = t.join();
        }
    }
}

impl Drop for ProgressReporter {
    fn drop(&mut self) {
        self.finish();
    }
}

fn draw(shared: &Shared, tasks_done: &AtomicU64) {
    let start = Instant::now();
    while start.elapsed() < SHOW_AFTER {
        if shared.finished.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let bar = ProgressBar::new(shared.runs_total.load(Ordering::Relaxed));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} runs, {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    while !shared.finished.load(Ordering::Relaxed) {
        bar.set_length(shared.runs_total.load(Ordering::Relaxed));
        bar.set_position(shared.runs_done.load(Ordering::Relaxed));
        let label = shared
            .label
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        bar.set_message(format!(
            "{label}, {} tasks",
            tasks_done.load(Ordering::Relaxed)
        ));
        bar.tick();
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
