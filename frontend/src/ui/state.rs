//! The page's state, changed only by [`Action`]s through [`State::reduce`] (the reducer pattern
//! of yew's function_todomvc), so every change can be followed and tested.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use engine::limits::ParamKind;
use engine::machine::MachineInfo;
use engine::spec::{ParamValue, SyncKind};
use engine::{Experiment, ModelKind, Order, Repetitions, ResultSet, Sweep, WorkloadKind};
use yew::Reducible;

use engine::lesson::{self, LessonResult, Size, Verdict};

use super::history;

/// The page's defaults for a workload: sizes that run in about a tenth of a second per run, so a
/// whole experiment with its baseline takes about a second.
pub fn page_default(kind: WorkloadKind, workers: u32) -> Experiment {
    let model = engine::model::LAB_MODEL;
    let mut exp = Experiment::new(kind, model, workers.max(1));
    let page = kind.info().page;
    exp.workload.n = page.n;
    for &(name, value) in page.params {
        exp.workload
            .params
            .insert(name.into(), ParamValue::Int(value));
    }
    exp.repetitions = Repetitions::Fixed(3);
    exp.warmups = 1;
    exp.validate().expect("page defaults are valid")
}

/// Where a set of results came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Run in this page.
    Browser,
    /// Attached to the link that opened the page.
    Link,
    /// Imported from a file (its name).
    File(String),
    /// Run by `native-runner serve` on this machine.
    Native,
    /// Reopened from the page's history (kept without task records).
    History,
}

impl Source {
    pub fn label(&self) -> String {
        match self {
            Source::Browser => "this browser".into(),
            Source::Link => "from the link".into(),
            Source::File(name) => format!("imported: {name}"),
            Source::Native => "native, this machine".into(),
            Source::History => "from the history".into(),
        }
    }
}

/// A control of the experiment panel. A closed set, so a control the reducer does not know
/// cannot be dispatched; its [`name`](Control::name) is what the page shows (the input's `name`
/// attribute, and the start of a message about it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    Workload,
    Model,
    /// A parameter of the workload (`n` included), by its name in the workload's definition.
    Param(&'static str),
    ChunkSize,
    Order,
    SwitchIntervalMs,
    Sync,
    Workers,
    Repetitions,
    BudgetS,
    Warmups,
    Timeline,
    Sweep,
    SweepValues,
    Baseline,
}

impl Control {
    /// The control's name in the page: `workload`, `chunk_size`, `param.n`.
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Control::Workload => "workload",
            Control::Model => "model",
            Control::Param(p) => return Cow::Owned(format!("param.{p}")),
            Control::ChunkSize => "chunk_size",
            Control::Order => "order",
            Control::SwitchIntervalMs => "switch_interval_ms",
            Control::Sync => "sync",
            Control::Workers => "workers",
            Control::Repetitions => "repetitions",
            Control::BudgetS => "budget_s",
            Control::Warmups => "warmups",
            Control::Timeline => "timeline",
            Control::Sweep => "sweep",
            Control::SweepValues => "sweep_values",
            Control::Baseline => "baseline",
        })
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Ordered by name, as the drafts were when they were keyed by name: Run's tooltip names the
/// first invalid control in that order.
impl Ord for Control {
    fn cmp(&self, other: &Self) -> Ordering {
        self.name().cmp(&other.name())
    }
}

impl PartialOrd for Control {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Progress of the run in flight.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Running {
    pub id: u64,
    pub tasks: u64,
    pub runs: u32,
    pub runs_total: u32,
    pub label: String,
    pub stopping: bool,
    /// `"auto"` repetitions: `runs_total` is what is planned so far and may still grow.
    pub auto: bool,
}

/// The engine worker as the page knows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineStatus {
    pub ready: bool,
    pub threads: bool,
    pub pool_size: u32,
    pub machine: Option<MachineInfo>,
    pub fatal: Option<String>,
}

/// A lesson's result, compared by identity (a stored result never changes; comparing the
/// contents would walk every task record on every render).
#[derive(Debug, Clone)]
pub struct LessonRef(pub Rc<LessonResult>);

impl PartialEq for LessonRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What the page knows about one lesson's card.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LessonCard {
    /// This browser's result, once run here.
    pub result: Option<LessonRef>,
    /// The native backend's result, or why it could not give one.
    pub native: Option<Result<LessonRef, String>>,
    /// What runs now, while the lesson runs.
    pub progress: Option<String>,
    /// The verdict of whoever sent the link that opened the page.
    pub sender: Option<Verdict>,
    /// The link made by "copy link".
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The experiment the controls describe (always valid).
    pub exp: Experiment,
    /// Text typed into a control that is not (yet) valid, by control, with the reason.
    pub drafts: BTreeMap<Control, (String, String)>,
    pub running: Option<Running>,
    /// Result sets, newest first. Shared, so the reducer's copy of the state per action (a
    /// progress tick, say) copies pointers, not every task record; and a component can tell a
    /// set it has drawn by its address.
    pub results: Vec<(Source, Rc<ResultSet>)>,
    /// The last run's failure or stop, shown until the next run.
    pub notice: Option<String>,
    /// A question before a long run, while it waits for an answer.
    pub confirm: Option<String>,
    pub engine: EngineStatus,
    pub hardware_concurrency: u32,
    pub isolated: bool,
    /// Longest main-thread task seen during runs, milliseconds.
    pub longest_task_ms: f64,
    pub link: Option<String>,
    /// What became of copying the last link: "Copied", or why not.
    pub copied: Option<String>,
    pub include_results: bool,
    /// Which result row's timeline is shown: (result set, row).
    pub selected: Option<(usize, usize)>,
    /// The native backend: `None` until asked, then whether this page is served by it.
    pub native: Option<Option<MachineInfo>>,
    pub also_native: bool,
    /// What the native run is doing, while it runs.
    pub native_status: Option<String>,
    /// Past runs, newest first, as stored by [`super::history`].
    /// Shared, so the reducer's copy of the state per action does not copy every stored result.
    pub history: Rc<Vec<super::history::Entry>>,
    /// Bumped on every change of `history`: what the page watches to store it.
    pub history_version: u64,
    /// One card per lesson, in the order of `engine::lesson::all()`.
    pub lessons: Rc<Vec<LessonCard>>,
    /// The lesson running, in the browser or natively.
    pub lesson_running: Option<&'static str>,
    /// The card to bring into view and focus (a link opened it), with a count so that the same
    /// card can be asked for again.
    pub lesson_focus: Option<(&'static str, u64)>,
    /// What the lessons have to say (a link that cannot be opened).
    pub lesson_notice: Option<String>,
    /// Each workload's parameters as last set here, so that switching workload and back keeps
    /// what was typed.
    pub kept: Vec<engine::WorkloadSpec>,
    /// What screen readers are told when a run ends: its outcome in a sentence.
    pub announcement: Option<String>,
}

impl State {
    /// The timeline shown: the clicked row, else the newest set's stopped run if it was cut
    /// short, else its last row. Row `results.len()` of a set is its stopped run.
    pub fn shown_timeline(&self) -> Option<(usize, usize)> {
        self.selected.or_else(|| {
            self.results.first().map(|(_, r)| {
                let stopped = r.partial.as_ref().is_some_and(|p| p.stopped.is_some());
                let n = r.results.len();
                (0, if stopped { n } else { n.saturating_sub(1) })
            })
        })
    }

    pub fn new(hardware_concurrency: u32, isolated: bool) -> State {
        let workers = hardware_concurrency.clamp(1, 4);
        let mut exp = page_default(WorkloadKind::Mandelbrot, workers);
        if !isolated {
            // Without threads, start from a model that runs.
            exp.model = engine::ModelSpec::new(ModelKind::Sequential);
            exp.workers = 1;
            exp = exp.validate().expect("sequential defaults are valid");
        }
        State {
            exp,
            drafts: BTreeMap::new(),
            running: None,
            results: Vec::new(),
            notice: None,
            confirm: None,
            engine: EngineStatus::default(),
            hardware_concurrency,
            isolated,
            longest_task_ms: 0.0,
            link: None,
            copied: None,
            include_results: false,
            selected: None,
            native: None,
            also_native: true,
            native_status: None,
            history: Rc::new(history::load()),
            history_version: 0,
            lessons: Rc::new(vec![LessonCard::default(); lesson::all().len()]),
            lesson_running: None,
            lesson_focus: None,
            lesson_notice: None,
            kept: Vec::new(),
            announcement: None,
        }
    }

    /// Why a lesson's Run is disabled, if it is: one run at a time, on a started engine.
    pub fn lesson_blocker(&self) -> Option<String> {
        if let Some(f) = &self.engine.fatal {
            return Some(f.clone());
        }
        if !self.engine.ready {
            return Some("starting the engine".into());
        }
        if let Some(id) = self.lesson_running {
            return Some(format!("the lesson {id} is running"));
        }
        if self.running.is_some() {
            return Some("an experiment is running".into());
        }
        if self.native_status.is_some() {
            return Some("the native run is still going".into());
        }
        None
    }

    fn card(&mut self, id: &str) -> Option<&mut LessonCard> {
        let i = lesson::all().iter().position(|l| l.id == id)?;
        Rc::make_mut(&mut self.lessons).get_mut(i)
    }

    /// [`apply_edit`] with the page's own limits: no more workers than [`State::max_workers`],
    /// and each workload's parameters as they were last set here.
    fn edit(&mut self, control: Control, text: &str) -> Result<Experiment, String> {
        let mut exp = apply_edit(&self.exp, control, text)?;
        let max = self.max_workers();
        if control == Control::Workers && exp.workers > max {
            return Err(format!(
                "workers must be a whole number from 1 to {max} on this machine; you typed '{}'",
                text.trim()
            ));
        }
        if let (Control::SweepValues, Some(Sweep::Workers(w))) = (control, &exp.sweep)
            && w.iter().any(|&w| w > max)
        {
            return Err(format!(
                "sweep values: workers go from 1 to {max} on this machine; you typed '{}'",
                text.trim()
            ));
        }
        if control == Control::Workload && exp.workload.name != self.exp.workload.name {
            let old = self.exp.workload.clone();
            self.kept.retain(|w| w.name != old.name);
            self.kept.push(old);
            if let Some(w) = self.kept.iter().find(|w| w.name == exp.workload.name) {
                let mut back = exp.clone();
                back.workload = w.clone();
                if let Ok(v) = back.validate() {
                    exp = v;
                }
            }
        }
        Ok(exp)
    }

    /// Most workers the page offers: oversubscription up to 4x the logical cores.
    pub fn max_workers(&self) -> u32 {
        (self.hardware_concurrency.max(1) * 4).min(engine::limits::MAX_WORKERS)
    }

    /// Whether the model can run here (threads need cross-origin isolation; MPI ranks need a
    /// launcher, natively).
    pub fn model_available(&self, m: ModelKind) -> Result<(), &'static str> {
        if let Some(why) = crate::worker::not_in_page(m) {
            Err(why)
        } else if m.info().host.needs_threads()
            && !(self.isolated && (self.engine.threads || !self.engine.ready))
        {
            Err("needs threads: the page is not cross-origin isolated")
        } else {
            Ok(())
        }
    }

    /// The question to ask before running the experiment, when it is estimated to take longer
    /// than [`CONFIRM_ABOVE_SECONDS`] on this machine.
    pub fn long_run(&self) -> Option<String> {
        let cores = self.hardware_concurrency.max(1);
        let seconds = engine::estimate::experiment_seconds(&self.exp, cores);
        (seconds > CONFIRM_ABOVE_SECONDS).then(|| {
            let configs = engine::measure::configurations(&self.exp).len() as u32;
            let runs = configs * (self.exp.warmups + self.exp.repetitions.planned());
            let runs = match self.exp.repetitions {
                Repetitions::Fixed(_) => format!("{runs} runs"),
                Repetitions::Auto => format!("at least {runs} runs"),
            };
            format!(
                "This experiment is estimated to take about {} on this machine ({runs}). Stop ends it at any time and keeps what ran. Run it?",
                engine::estimate::human(seconds)
            )
        })
    }

    /// Why Run is disabled, if it is.
    pub fn run_blocker(&self) -> Option<String> {
        if let Some(f) = &self.engine.fatal {
            return Some(f.clone());
        }
        if !self.engine.ready {
            return Some("starting the engine".into());
        }
        if self.native_status.is_some() {
            return Some("the native run is still going".into());
        }
        if let Some(id) = self.lesson_running {
            return Some(format!("the lesson {id} is running"));
        }
        if let Some((_, (_, why))) = self.drafts.iter().next() {
            return Some(why.clone());
        }
        let swept = match &self.exp.sweep {
            Some(Sweep::Models(models)) => models.as_slice(),
            _ => &[],
        };
        for &m in std::iter::once(&self.exp.model.name).chain(swept) {
            if let Err(why) = self.model_available(m) {
                return Some(format!("{m}: {why}"));
            }
        }
        None
    }
}

/// Runs estimated above this many seconds ask before they start.
pub const CONFIRM_ABOVE_SECONDS: f64 = 30.0;

/// Everything that can happen to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A control changed: which, and the text typed.
    Edit(Control, String),
    /// Replace the experiment (a link, back/forward, a reset) and optionally attach results.
    Load(Experiment, Option<ResultSet>),
    /// Reopen an entry of the history: its experiment and, if it finished, its results.
    OpenHistory(Experiment, Option<ResultSet>),
    EngineReady {
        threads: bool,
        pool_size: u32,
        machine: Option<MachineInfo>,
    },
    EngineFatal(String),
    /// A run started, with the experiment it runs (for the history).
    RunStarted(u64, Option<Box<Experiment>>),
    Progress {
        id: u64,
        tasks: u64,
        runs: u32,
        runs_total: u32,
        label: String,
    },
    Stopping,
    /// Ask before a long run.
    AskConfirm(String),
    DismissConfirm,
    RunFinished {
        id: u64,
        result: Result<ResultSet, String>,
    },
    Imported(String, ResultSet),
    Notice(String),
    LongTask(f64),
    LinkMade(String),
    /// Copying the link ended: "Copied", or why not.
    Copied(String),
    ToggleIncludeResults,
    Select(usize, usize),
    ClearResults,
    ClearHistory,
    NativeProbed(Option<MachineInfo>),
    ToggleAlsoNative,
    NativeStatus(Option<String>),
    NativeFinished(Result<ResultSet, String>),
    /// A lesson started in the browser.
    LessonStarted(&'static str),
    /// What a running lesson does now.
    LessonProgress(&'static str, String),
    /// A lesson ended in the browser, with its verdict.
    LessonFinished(&'static str, Rc<LessonResult>),
    LessonNativeStarted(&'static str),
    LessonNativeFinished(&'static str, Result<Rc<LessonResult>, String>),
    /// A lesson link: bring its card into view, with the sender's verdict.
    FocusLesson(&'static str, Option<Verdict>),
    /// A lesson's link was made.
    LessonLinkMade(&'static str, String),
    /// Load a lesson's first experiment into the lab, with the lesson's results if it ran.
    OpenLesson(&'static str),
    LessonNotice(String),
}

/// Results from outside this page (a file, a link, storage) with their warnings computed again
/// from their figures: a file written before results carried warnings, or one edited by hand,
/// still shows every warning its figures call for.
fn assessed(mut r: ResultSet) -> ResultSet {
    engine::warning::assess(&mut r);
    r
}

/// A finished run in a sentence, for screen readers: what ran, the best speedup measured and
/// whether the answers were checked.
pub fn announce(r: &ResultSet) -> String {
    let e = &r.experiment;
    let best = r
        .results
        .iter()
        .filter(|m| m.model != ModelKind::Sequential)
        .filter_map(|m| m.speedup)
        .fold(None, |b: Option<f64>, v| Some(b.map_or(v, |b| b.max(v))));
    let verified = r
        .results
        .iter()
        .filter(|m| m.verified == Some(true))
        .count();
    let differs = r
        .results
        .iter()
        .filter(|m| m.verified == Some(false))
        .count();
    let mut s = format!(
        "{}: {} n={}, {} {}",
        if r.error.is_some() {
            "Run ended by a deadlock"
        } else if r.partial.is_some() {
            "Run stopped early"
        } else {
            "Run finished"
        },
        e.workload.name,
        e.workload.n,
        r.results.len(),
        if r.results.len() == 1 {
            "configuration"
        } else {
            "configurations"
        },
    );
    if let Some(b) = best {
        s.push_str(&format!("; best speedup {b:.2}x"));
    }
    if differs > 0 {
        s.push_str(&format!(
            "; {differs} {} from the reference",
            if differs == 1 {
                "answer differs"
            } else {
                "answers differ"
            }
        ));
    } else if verified > 0 {
        s.push_str("; answers verified");
    }
    s.push('.');
    s
}

/// A sweep's values, as the CLI accepts them too (`engine::spec::parse_list`).
fn parse_list(text: &str) -> Result<Vec<u64>, String> {
    engine::spec::parse_list(text).map_err(|e| e.to_string())
}

/// What a models sweep starts with: the model chosen, then the engine's contrasts
/// ([`engine::model::CONTRASTS`]), each once.
fn models_to_compare(current: ModelKind) -> Vec<ModelKind> {
    let mut out = Vec::new();
    for m in std::iter::once(current).chain(engine::model::CONTRASTS) {
        if m != ModelKind::Sequential && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// Applies one control's text to an experiment; the result is validated.
pub fn apply_edit(exp: &Experiment, control: Control, text: &str) -> Result<Experiment, String> {
    let mut e = exp.clone();
    let num = |t: &str| {
        let v = engine::spec::ParamValue::parse(t.trim());
        match v {
            ParamValue::Int(v) => Ok(v),
            _ => Err(whole_number_message(control, t)),
        }
    };
    match control {
        Control::Workload => {
            let kind: WorkloadKind = text.parse().map_err(|e: engine::SpecError| e.to_string())?;
            let fresh = page_default(kind, e.workers);
            e.workload = fresh.workload;
        }
        Control::Model => {
            let kind: ModelKind = text.parse().map_err(|e: engine::SpecError| e.to_string())?;
            e.model = engine::ModelSpec::new(kind);
            if kind == ModelKind::Sequential {
                e.workers = 1;
            }
            if kind.info().chunks.is_none() && matches!(e.sweep, Some(Sweep::ChunkSize(_))) {
                e.sweep = None;
            }
            if kind == ModelKind::Sequential {
                e.sweep = None;
            }
        }
        Control::Workers => {
            e.workers =
                u32::try_from(num(text)?).map_err(|_| whole_number_message(control, text))?
        }
        Control::Repetitions => {
            e.repetitions = text
                .parse::<Repetitions>()
                .map_err(|_| whole_number_message(control, text))?;
            // A budget belongs to "auto" only (the engine refuses it with a fixed count); going
            // to "auto" starts from the engine's default budget.
            if e.repetitions != Repetitions::Auto {
                e.budget_s = None;
            }
        }
        Control::BudgetS => {
            let b = text
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|b| b.is_finite())
                .ok_or_else(|| budget_message(text))?;
            e.budget_s = Some(b);
        }
        Control::Timeline => {
            e.timeline = match text {
                "on" => true,
                "off" => false,
                other => return Err(format!("'{other}' is not on or off")),
            }
        }
        Control::Warmups => {
            e.warmups =
                u32::try_from(num(text)?).map_err(|_| whole_number_message(control, text))?
        }
        Control::ChunkSize => {
            e.model.chunk_size = if text.trim().is_empty() {
                None
            } else {
                Some(num(text)?)
            }
        }
        Control::Order => {
            e.model.order = match text {
                "ordered" => Some(Order::Ordered),
                "completion" => Some(Order::Completion),
                _ => None,
            }
        }
        Control::SwitchIntervalMs => {
            e.model.switch_interval_ms = Some(
                text.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("'{text}' is not a number"))?,
            )
        }
        Control::Sync => {
            e.model.sync = match text {
                "atomic" => Some(SyncKind::Atomic),
                _ => Some(SyncKind::Lock),
            }
        }
        Control::Sweep => {
            e.sweep = match text {
                "workers" => {
                    let top = e.workers.max(2);
                    Some(Sweep::Workers((1..=top).collect()))
                }
                "chunk_size" => Some(Sweep::ChunkSize(vec![1, 4, 16, 64, 256])),
                "models" => Some(Sweep::Models(models_to_compare(e.model.name))),
                _ => None,
            }
        }
        Control::SweepValues => match &e.sweep {
            Some(Sweep::Workers(_)) => {
                let list = parse_list(text)?;
                let list = list
                    .into_iter()
                    .map(|w| u32::try_from(w).map_err(|_| "too large".to_string()))
                    .collect::<Result<Vec<_>, _>>()?;
                e.sweep = Some(Sweep::Workers(list));
            }
            Some(Sweep::ChunkSize(_)) => e.sweep = Some(Sweep::ChunkSize(parse_list(text)?)),
            Some(Sweep::Models(_)) => {
                let list = text
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(|m| m.parse::<ModelKind>().map_err(|err| err.to_string()))
                    .collect::<Result<Vec<_>, _>>()?;
                e.sweep = Some(Sweep::Models(list));
            }
            None => {}
        },
        Control::Baseline => e.baseline = text == "true",
        Control::Param(key) => {
            e.workload
                .set(key, ParamValue::parse(text.trim()))
                .map_err(|err| param_message(&e.workload, key, text).unwrap_or(err.to_string()))?;
        }
    }
    e.validate().map_err(|err| match (err, control) {
        (
            engine::SpecError::OutOfRange { .. },
            Control::Workers | Control::Warmups | Control::ChunkSize | Control::Repetitions,
        ) => whole_number_message(control, text),
        (engine::SpecError::OutOfRange { .. }, Control::BudgetS) => budget_message(text),
        (err, _) => err.to_string(),
    })
}

/// A limit as people write it: 10^9 rather than 1000000000.
pub fn limit_text(v: u64) -> String {
    let digits = v.to_string();
    if v >= 10_000
        && digits.trim_start_matches('1').chars().all(|c| c == '0')
        && digits.starts_with('1')
    {
        format!("10^{}", digits.len() - 1)
    } else {
        digits
    }
}

/// The control's name in words, and the range of whole numbers it takes.
fn whole_range(control: Control) -> (&'static str, u64, u64) {
    use engine::limits::*;
    match control {
        Control::Workers => ("workers", 1, u64::from(MAX_WORKERS)),
        Control::Warmups => ("warm-ups", 0, u64::from(MAX_WARMUPS)),
        Control::ChunkSize => ("chunk size", 1, MAX_CHUNK_SIZE),
        Control::Repetitions => ("repetitions", 1, u64::from(MAX_REPETITIONS)),
        _ => ("the value", 0, u64::MAX),
    }
}

/// "workers must be a whole number from 1 to 256; you typed 'abc'".
fn whole_number_message(control: Control, text: &str) -> String {
    let (name, min, max) = whole_range(control);
    let or_auto = if control == Control::Repetitions {
        " or \"auto\""
    } else {
        ""
    };
    format!(
        "{name} must be a whole number from {min} to {}{or_auto}; you typed '{}'",
        limit_text(max),
        text.trim()
    )
}

fn budget_message(text: &str) -> String {
    format!(
        "the budget must be a number of seconds from {} to {}; you typed '{}'",
        engine::limits::MIN_BUDGET_S,
        engine::limits::MAX_BUDGET_S,
        text.trim()
    )
}

/// A workload parameter's range in words, for its label: "1 to 10^9".
pub fn param_range(def: &engine::limits::ParamDef) -> Option<String> {
    match def.kind {
        ParamKind::Int { min, max, .. } => {
            Some(format!("{} to {}", limit_text(min), limit_text(max)))
        }
        ParamKind::Float { min, max, .. } => Some(format!("{min} to {max}")),
        ParamKind::Choice { .. } => None,
    }
}

/// Why text typed for a workload parameter was refused, in the words of its label:
/// "n must be a whole number from 2 to 10^9 (1e6 is accepted as 1000000); you typed '-5'".
fn param_message(w: &engine::WorkloadSpec, key: &str, text: &str) -> Option<String> {
    let info = w.name.info();
    let def = std::iter::once(&info.size)
        .chain(info.params.iter())
        .find(|d| d.name == key)?;
    let range = param_range(def)?;
    let what = match def.kind {
        ParamKind::Int { .. } => {
            format!("a whole number from {range} (1e6 is accepted as 1000000)")
        }
        _ => format!("a number from {range}"),
    };
    Some(format!("{key} must be {what}; you typed '{}'", text.trim()))
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        // A question about the experiment as it was is moot once it changes or runs.
        if matches!(
            action,
            Action::Edit(..) | Action::Load(..) | Action::OpenHistory(..) | Action::RunStarted(..)
        ) {
            s.confirm = None;
        }
        match action {
            Action::Edit(control, text) => match s.edit(control, &text) {
                Ok(exp) => {
                    s.exp = exp;
                    s.drafts.remove(&control);
                    // A hidden field must not keep blocking Run with what was typed in it.
                    if s.exp.repetitions != Repetitions::Auto {
                        s.drafts.remove(&Control::BudgetS);
                    }
                    // Switching workload or model changes which other controls exist.
                    if matches!(control, Control::Workload | Control::Model) {
                        s.drafts.clear();
                    }
                }
                Err(why) => {
                    s.drafts.insert(control, (text, why));
                }
            },
            Action::Load(exp, results) => {
                s.exp = exp;
                s.drafts.clear();
                // What was said about the previous experiment no longer applies.
                s.notice = None;
                if let Some(r) = results.map(assessed) {
                    s.results.retain(|(src, _)| *src != Source::Link);
                    s.results.insert(0, (Source::Link, Rc::new(r)));
                    s.selected = None;
                }
            }
            Action::EngineReady {
                threads,
                pool_size,
                machine,
            } => {
                s.engine.ready = true;
                s.engine.threads = threads;
                s.engine.pool_size = pool_size;
                s.engine.machine = machine;
                s.engine.fatal = None;
            }
            Action::EngineFatal(m) => {
                s.engine.fatal = Some(m);
            }
            Action::RunStarted(id, exp) => {
                let auto = exp
                    .as_ref()
                    .is_some_and(|e| e.repetitions == Repetitions::Auto);
                if let Some(exp) = exp {
                    s.history_version += 1;
                    let h = Rc::make_mut(&mut s.history);
                    h.insert(
                        0,
                        history::Entry {
                            at: history::now_ms(),
                            run: id,
                            side: "browser".into(),
                            experiment: *exp,
                            status: history::Status::Running,
                            error: None,
                            results: None,
                        },
                    );
                    h.truncate(history::MAX_ENTRIES);
                }
                s.running = Some(Running {
                    id,
                    auto,
                    ..Running::default()
                });
                s.notice = None;
            }
            Action::Progress {
                id,
                tasks,
                runs,
                runs_total,
                label,
            } => {
                if let Some(r) = s.running.as_mut().filter(|r| r.id == id) {
                    r.tasks = tasks;
                    r.runs = runs;
                    r.runs_total = runs_total;
                    r.label = label;
                }
            }
            Action::AskConfirm(q) => s.confirm = Some(q),
            Action::DismissConfirm => s.confirm = None,
            Action::Stopping => {
                if let Some(r) = s.running.as_mut() {
                    r.stopping = true;
                }
            }
            Action::RunFinished { id, result } => {
                if s.running.as_ref().is_some_and(|r| r.id == id) {
                    s.running = None;
                }
                if let Some(i) = s
                    .history
                    .iter()
                    .position(|e| e.run == id && e.status == history::Status::Running)
                {
                    s.history_version += 1;
                    let e = &mut Rc::make_mut(&mut s.history)[i];
                    match &result {
                        Ok(r) => {
                            e.status = if r.error.is_some() {
                                e.error = r.error.as_ref().map(ToString::to_string);
                                history::Status::Failed
                            } else if r.partial.is_some() {
                                history::Status::Stopped
                            } else {
                                history::Status::Done
                            };
                            e.results = Some(super::share::without_tasks(r));
                        }
                        Err(why) => {
                            e.status = history::Status::Failed;
                            e.error = Some(why.clone());
                        }
                    }
                }
                s.announcement = Some(match &result {
                    Ok(r) => announce(r),
                    Err(e) => format!("The run failed: {e}"),
                });
                match result {
                    Ok(r) => {
                        if let Some(failure) = &r.error {
                            s.notice = Some(format!(
                                "{failure}. The engine ended the run; its timeline below draws the cycle"
                            ));
                        } else if let Some(p) = &r.partial {
                            s.notice = Some(format!(
                                "run {}: what it did is kept below, marked partial",
                                p.reason
                            ));
                        }
                        s.results.insert(0, (Source::Browser, Rc::new(r)));
                        s.selected = None;
                    }
                    Err(e) => s.notice = Some(e),
                }
            }
            Action::Imported(name, r) => {
                s.results
                    .insert(0, (Source::File(name), Rc::new(assessed(r))));
                s.selected = None;
            }
            Action::Notice(m) => s.notice = Some(m),
            Action::LongTask(ms) => s.longest_task_ms = s.longest_task_ms.max(ms),
            Action::LinkMade(l) => {
                s.link = Some(l);
                s.copied = None;
            }
            Action::Copied(m) => s.copied = Some(m),
            Action::ToggleIncludeResults => s.include_results = !s.include_results,
            Action::Select(set, row) => s.selected = Some((set, row)),
            Action::NativeProbed(m) => s.native = Some(m),
            Action::ToggleAlsoNative => s.also_native = !s.also_native,
            Action::NativeStatus(status) => s.native_status = status,
            Action::NativeFinished(result) => {
                s.native_status = None;
                let entry = |status, error, results| history::Entry {
                    at: history::now_ms(),
                    run: 0,
                    side: "native".into(),
                    experiment: s.exp.clone(),
                    status,
                    error,
                    results,
                };
                s.announcement = Some(match &result {
                    Ok(r) => format!("Native {}", announce(r).to_lowercase()),
                    Err(e) => format!("The native run failed: {e}"),
                });
                match result {
                    Ok(r) => {
                        let mut e = entry(
                            history::Status::Done,
                            None,
                            Some(super::share::without_tasks(&r)),
                        );
                        e.experiment = r.experiment.clone();
                        Rc::make_mut(&mut s.history).insert(0, e);
                        s.results.insert(0, (Source::Native, Rc::new(r)));
                        s.selected = None;
                    }
                    Err(e) => {
                        let h = entry(history::Status::Failed, Some(e.clone()), None);
                        Rc::make_mut(&mut s.history).insert(0, h);
                        s.notice = Some(e);
                    }
                }
                Rc::make_mut(&mut s.history).truncate(history::MAX_ENTRIES);
                s.history_version += 1;
            }
            Action::ClearResults => {
                s.results.clear();
                s.selected = None;
            }
            Action::ClearHistory => {
                s.history = Rc::new(Vec::new());
                s.history_version += 1;
            }
            Action::LessonStarted(id) | Action::LessonNativeStarted(id) => {
                let native = matches!(action, Action::LessonNativeStarted(_));
                s.lesson_running = Some(id);
                s.lesson_notice = None;
                if let Some(c) = s.card(id) {
                    c.progress = Some(if native {
                        "running natively on this machine".into()
                    } else {
                        "starting".into()
                    });
                }
            }
            Action::LessonProgress(id, line) => {
                if let Some(c) = s.card(id).filter(|c| c.progress.is_some()) {
                    c.progress = Some(line);
                }
            }
            Action::LessonFinished(id, result) => {
                s.lesson_running = None;
                if let Some(c) = s.card(id) {
                    c.progress = None;
                    c.result = Some(LessonRef(result));
                }
            }
            Action::LessonNativeFinished(id, result) => {
                s.lesson_running = None;
                if let Some(c) = s.card(id) {
                    c.progress = None;
                    c.native = Some(result.map(LessonRef));
                }
            }
            Action::FocusLesson(id, sender) => {
                let n = s.lesson_focus.map_or(0, |(_, n)| n + 1);
                s.lesson_focus = Some((id, n));
                s.lesson_notice = None;
                if let Some(c) = s.card(id) {
                    c.sender = sender;
                }
            }
            Action::LessonLinkMade(id, link) => {
                if let Some(c) = s.card(id) {
                    c.link = Some(link);
                }
            }
            Action::LessonNotice(m) => s.lesson_notice = Some(m),
            Action::OpenLesson(id) => {
                let Some(l) = lesson::find(id) else {
                    return Rc::new(s);
                };
                let ran = s.card(id).and_then(|c| c.result.clone());
                let sets: Vec<ResultSet> = ran.map(|r| r.0.results.clone()).unwrap_or_default();
                let exp = match sets.first() {
                    Some(set) => Some(set.experiment.clone()),
                    None => l
                        .experiments(Size::Quick, s.hardware_concurrency)
                        .into_iter()
                        .next(),
                };
                if let Some(exp) = exp {
                    s.exp = exp;
                    s.drafts.clear();
                    s.notice = None;
                }
                // The lesson's sets on top, in its order, each once.
                for set in sets.into_iter().rev() {
                    s.results.retain(|(_, r)| **r != set);
                    s.results.insert(0, (Source::Browser, Rc::new(set)));
                    s.selected = None;
                }
            }
            Action::OpenHistory(exp, results) => {
                s.exp = exp;
                s.drafts.clear();
                if let Some(r) = results.map(assessed) {
                    s.results.insert(0, (Source::History, Rc::new(r)));
                    s.selected = None;
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn edits_validate_and_bad_text_is_kept_as_a_draft() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::Edit(Control::Workers, "3".into()));
        assert_eq!(s.exp.workers, 3);
        let s = s.reduce(Action::Edit(Control::Workers, "0".into()));
        assert_eq!(s.exp.workers, 3, "the valid experiment is kept");
        assert_eq!(
            s.drafts[&Control::Workers].0,
            "0",
            "what the user typed is kept"
        );
        assert!(s.run_blocker().is_some());
        let s = s.reduce(Action::Edit(Control::Workers, "2".into()));
        assert!(s.drafts.is_empty());
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn long_runs_ask_first_and_an_edit_withdraws_the_question() {
        let s = Rc::new(State::new(2, true));
        assert_eq!(s.long_run(), None, "the page's defaults run in seconds");
        let s = s.reduce(Action::Edit(Control::Workload, "primes".into()));
        let s = s.reduce(Action::Edit(Control::Param("n"), "1000000000".into()));
        let q = s.long_run().expect("primes below 10^9 takes hours");
        assert!(q.contains(" h on this machine"), "{q}");
        let s = s.reduce(Action::AskConfirm(q));
        assert!(s.confirm.is_some());
        let s = s.reduce(Action::Edit(Control::Param("n"), "1000".into()));
        assert_eq!(s.confirm, None);
        assert_eq!(s.long_run(), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn page_defaults_are_valid_for_every_workload() {
        for &w in WorkloadKind::ALL {
            assert_eq!(page_default(w, 2).workload.name, w);
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn repetitions_take_auto_and_a_budget_only_with_it() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::Edit(Control::Repetitions, "lots".into()));
        assert!(
            s.drafts[&Control::Repetitions].1.contains("\"auto\""),
            "{:?}",
            s.drafts
        );
        let s = s.reduce(Action::Edit(Control::Repetitions, "auto".into()));
        assert_eq!(s.exp.repetitions, Repetitions::Auto);
        assert_eq!(s.exp.budget_s, Some(engine::limits::DEFAULT_BUDGET_S));
        assert!(s.drafts.is_empty());
        let s = s.reduce(Action::Edit(Control::BudgetS, "0".into()));
        assert!(
            s.drafts[&Control::BudgetS]
                .1
                .contains("budget must be a number of seconds from 0.1 to 3600"),
            "{:?}",
            s.drafts
        );
        let s = s.reduce(Action::Edit(Control::BudgetS, "2.5".into()));
        assert_eq!(s.exp.budget_s, Some(2.5));
        let s = s.reduce(Action::Edit(Control::BudgetS, "soon".into()));
        assert!(s.drafts.contains_key(&Control::BudgetS));
        // Back to a fixed count: no budget, and the hidden field's text no longer blocks Run.
        let s = s.reduce(Action::Edit(Control::Repetitions, "5".into()));
        assert_eq!(s.exp.repetitions, Repetitions::Fixed(5));
        assert_eq!(s.exp.budget_s, None);
        assert!(s.drafts.is_empty(), "{:?}", s.drafts);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn an_auto_run_knows_its_total_may_grow() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::Edit(Control::Repetitions, "auto".into()));
        let exp = Box::new(s.exp.clone());
        let s = s.reduce(Action::RunStarted(1, Some(exp)));
        assert!(s.running.as_ref().is_some_and(|r| r.auto));
        let s = s.reduce(Action::Edit(Control::Workload, "primes".into()));
        let s = s.reduce(Action::Edit(Control::Param("n"), "1000000000".into()));
        let q = s.long_run().expect("a long run");
        assert!(q.contains("(at least "), "{q}");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn controls_keep_the_names_the_page_gives_them() {
        assert_eq!(Control::Param("n").to_string(), "param.n");
        assert_eq!(Control::ChunkSize.name(), "chunk_size");
        assert_eq!(Control::SwitchIntervalMs.name(), "switch_interval_ms");
        // Run's tooltip names the first invalid control in name order, as it did when the
        // drafts were keyed by name.
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::EngineReady {
            threads: true,
            pool_size: 3,
            machine: None,
        });
        let s = s.reduce(Action::Edit(Control::Workers, "0".into()));
        let s = s.reduce(Action::Edit(Control::Param("n"), "many".into()));
        let blocker = s.run_blocker().expect("two invalid controls");
        assert!(
            blocker.starts_with("n must be a whole number from "),
            "{blocker}"
        );
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn refusals_give_the_range_in_words() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::Edit(Control::Workload, "primes".into()));
        let s = s.reduce(Action::Edit(Control::Param("n"), "1e6".into()));
        assert_eq!(s.exp.workload.n, 1_000_000, "1e6 is a whole number");
        assert!(s.drafts.is_empty(), "{:?}", s.drafts);
        let s = s.reduce(Action::Edit(Control::Param("n"), "-5".into()));
        assert_eq!(
            s.drafts[&Control::Param("n")].1,
            "n must be a whole number from 2 to 10^9 (1e6 is accepted as 1000000); you typed '-5'"
        );
        // The page offers 4x the logical cores: 8 here, refused above that with the range.
        let s = s.reduce(Action::Edit(Control::Workers, "100".into()));
        assert_eq!(
            s.drafts[&Control::Workers].1,
            "workers must be a whole number from 1 to 8 on this machine; you typed '100'"
        );
        assert_ne!(s.exp.workers, 100);
        let s = s.reduce(Action::Edit(Control::Warmups, "lots".into()));
        assert_eq!(
            s.drafts[&Control::Warmups].1,
            "warm-ups must be a whole number from 0 to 100; you typed 'lots'"
        );
        let s = s.reduce(Action::Edit(Control::Sweep, "workers".into()));
        let s = s.reduce(Action::Edit(Control::SweepValues, "1..16".into()));
        assert_eq!(
            s.drafts[&Control::SweepValues].1,
            "sweep values: workers go from 1 to 8 on this machine; you typed '1..16'"
        );
        assert_eq!(limit_text(1_000_000_000), "10^9");
        assert_eq!(limit_text(256), "256");
        assert_eq!(limit_text(2_000_000), "2000000");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_typed_n_survives_switching_workload_and_back() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::Edit(Control::Workload, "primes".into()));
        let s = s.reduce(Action::Edit(Control::Param("n"), "12345".into()));
        let s = s.reduce(Action::Edit(Control::Workload, "square".into()));
        assert_ne!(s.exp.workload.n, 12345);
        let s = s.reduce(Action::Edit(Control::Workload, "primes".into()));
        assert_eq!(s.exp.workload.n, 12345);
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn mpi_is_listed_and_chosen_but_never_run_in_the_page() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::EngineReady {
            threads: true,
            pool_size: 2,
            machine: None,
        });
        assert_eq!(s.run_blocker(), None);
        let why = s
            .model_available(ModelKind::Mpi)
            .expect_err("ranks need mpirun");
        assert!(why.contains("mpirun -np 2"), "{why}");
        let mpi = s.clone().reduce(Action::Edit(Control::Model, "mpi".into()));
        assert_eq!(mpi.exp.model.name, ModelKind::Mpi, "chosen, to read about");
        assert_eq!(mpi.run_blocker(), Some(format!("mpi: {why}")));
        let sweep = s.reduce(Action::Edit(Control::Sweep, "models".into()));
        let sweep = sweep.reduce(Action::Edit(
            Control::SweepValues,
            "dynamic-pool,mpi".into(),
        ));
        assert!(
            matches!(&sweep.exp.sweep, Some(Sweep::Models(m)) if m.contains(&ModelKind::Mpi)),
            "{:?}",
            sweep.exp.sweep
        );
        assert_eq!(sweep.run_blocker(), Some(format!("mpi: {why}")));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_lesson_blocks_other_runs_and_its_verdict_lands_on_its_card() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::EngineReady {
            threads: true,
            pool_size: 9,
            machine: None,
        });
        assert_eq!(s.lessons.len(), lesson::all().len());
        assert_eq!(s.lesson_blocker(), None);
        let s = s.reduce(Action::LessonStarted("gil-io"));
        assert!(s.lesson_blocker().is_some());
        assert!(s.run_blocker().is_some(), "the lab's Run waits too");
        let l = lesson::find("gil-io").unwrap();
        let r = Rc::new(l.could_not_run("a test", Vec::new()));
        let s = s.reduce(Action::LessonFinished("gil-io", r.clone()));
        assert_eq!(s.lesson_blocker(), None);
        let i = lesson::all().iter().position(|l| l.id == "gil-io").unwrap();
        assert!(Rc::ptr_eq(&s.lessons[i].result.as_ref().unwrap().0, &r));
        // Open in the lab: the lesson's first experiment in the controls.
        let s = s.reduce(Action::OpenLesson("gil-io"));
        assert_eq!(s.exp, l.experiments(Size::Quick, 2)[0]);
        let s = s.reduce(Action::FocusLesson("gil-io", Some(Verdict::Holds)));
        assert_eq!(s.lessons[i].sender, Some(Verdict::Holds));
        assert_eq!(s.lesson_focus, Some(("gil-io", 0)));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn sweep_values_parse() {
        let s = Rc::new(State::new(2, true));
        let s = s.reduce(Action::Edit(Control::Sweep, "workers".into()));
        let s = s.reduce(Action::Edit(Control::SweepValues, "1..3".into()));
        assert_eq!(s.exp.sweep, Some(Sweep::Workers(vec![1, 2, 3])));
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_models_sweep_starts_from_the_chosen_model_and_takes_a_list_of_names() {
        let mut exp = Experiment::new(WorkloadKind::Primes, ModelKind::Async, 2);
        exp = apply_edit(&exp, Control::Sweep, "models").unwrap();
        assert_eq!(
            exp.sweep,
            Some(Sweep::Models(vec![
                ModelKind::Async,
                ModelKind::Gil,
                ModelKind::DynamicPool,
                ModelKind::ProcessPool
            ]))
        );
        exp = apply_edit(&exp, Control::SweepValues, "gil, static-pool").unwrap();
        assert_eq!(
            exp.sweep,
            Some(Sweep::Models(vec![ModelKind::Gil, ModelKind::StaticPool]))
        );
        let err = apply_edit(&exp, Control::SweepValues, "gil,gil").unwrap_err();
        assert!(err.contains("listed twice"), "{err}");
        assert!(apply_edit(&exp, Control::SweepValues, "gil,threads").is_err());
    }
}
