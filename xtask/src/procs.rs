//! The processes the suite drives: the native runner, the page's server, the browser driver and
//! Python, each behind a small type so the suite reads as a list of measurements.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use engine::result::ResultSet;
use engine::spec::Experiment;
use serde_json::Value;

pub const NATIVE_RUNNER: &str = "target/release/native-runner";

/// Runs a command to completion, failing with the line of its stderr that says why: the first
/// `error:` line (Open MPI's launcher adds a box of its own after a rank's message), else the
/// last line.
pub fn run_checked(cmd: &mut Command) -> Result<Vec<u8>> {
    let what = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let why = err
            .lines()
            .find(|l| l.starts_with("error:"))
            .or_else(|| err.lines().rfind(|l| !l.trim().is_empty()))
            .unwrap_or("");
        bail!("{what} failed ({}): {why}", out.status);
    }
    Ok(out.stdout)
}

/// `native-runner run --spec -`: one experiment, its result set.
pub fn native_run(exp: &Experiment) -> Result<ResultSet> {
    let mut child = Command::new(NATIVE_RUNNER)
        .args(["run", "--spec", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting native-runner")?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(exp.to_json().as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "native-runner run failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    serde_json::from_slice(&out.stdout).context("reading native-runner's result")
}

/// A finished child's peak resident set (its largest process, children included) and wall time.
pub struct Usage {
    pub peak_rss_bytes: u64,
    pub seconds: f64,
    pub success: bool,
    pub stderr: String,
}

/// Runs a command with its output discarded and returns its peak memory, read from `wait4`'s
/// resource usage, which also covers the children it waited for (the process-pool workers).
pub fn peak_memory(program: &str, args: &[String]) -> Result<Usage> {
    let t = Instant::now();
    let err_path = std::env::temp_dir().join(format!("xtask-mem-{}.err", std::process::id()));
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path)?)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child, which has not been
    // waited for (std's Child is dropped without wait, which neither waits nor kills).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if rc != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    drop(child);
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    Ok(Usage {
        // ru_maxrss is in KiB on Linux.
        peak_rss_bytes: (usage.ru_maxrss as u64) * 1024,
        seconds: t.elapsed().as_secs_f64(),
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stderr: stderr.lines().last().unwrap_or("").to_string(),
    })
}

/// A child process killed when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `native-runner serve` on a port: the page with isolation headers.
pub fn serve(dist: &Path, port: u16) -> Result<Guard> {
    let mut child = Command::new(NATIVE_RUNNER)
        .args(["serve", "--port", &port.to_string(), "--dist"])
        .arg(dist)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting native-runner serve")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    if !line.contains("playground:") {
        let _ = child.kill();
        bail!("native-runner serve did not start (port {port} in use?)");
    }
    Ok(Guard(child))
}

/// The browser driver (`bench/browser.mjs`): one page, specs in, results out.
pub struct Browser {
    _child: Guard,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Browser {
    pub fn open(url: &str) -> Result<Browser> {
        let mut child = Command::new("node")
            .args(["bench/browser.mjs", url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting node bench/browser.mjs")?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Ok(Browser {
            _child: Guard(child),
            stdin,
            stdout,
        })
    }

    fn request(&mut self, req: &Value) -> Result<Value> {
        writeln!(self.stdin, "{req}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("the browser driver exited");
        }
        let reply: Value = serde_json::from_str(&line).context("reading the browser's reply")?;
        if let Some(e) = reply.get("error") {
            bail!("in the browser: {}", e.as_str().unwrap_or("unknown error"));
        }
        Ok(reply)
    }

    /// Load timings, wasm transfers and machine, measured when the page opened.
    pub fn page(&mut self) -> Result<Value> {
        let mut reply = self.request(&serde_json::json!({ "page": true }))?;
        Ok(reply["page"].take())
    }

    /// One experiment in the page; its result and the longest main-thread task meanwhile.
    pub fn run(&mut self, exp: &Experiment) -> Result<(ResultSet, f64)> {
        let spec: Value = serde_json::from_str(&exp.to_json())?;
        let mut reply = self.request(&serde_json::json!({ "spec": spec }))?;
        let longest = reply["longest_task_ms"].as_f64().unwrap_or(0.0);
        let set =
            serde_json::from_value(reply["result"].take()).context("reading the page's result")?;
        Ok((set, longest))
    }
}

/// gzip -9 size of a file, as a server compressing it would send it.
pub fn gzip_size(path: &PathBuf) -> Result<(u64, u64)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&bytes)?;
    Ok((bytes.len() as u64, enc.finish()?.len() as u64))
}
