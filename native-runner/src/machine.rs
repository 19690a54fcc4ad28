//! Reads the machine's description from the OS: cores, CPU model, caches, OS and kernel.
//! Linux exposes all of it under /proc and /sys; elsewhere the optional fields stay empty.

use std::fs;
use std::path::Path;

use engine::machine::{Cache, MachineInfo, timer_resolution};

/// Describes this machine, measuring the timer resolution.
pub fn detect() -> MachineInfo {
    MachineInfo {
        runtime: "native".into(),
        logical_cores: logical_cores(),
        physical_cores: fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| physical_cores(&t)),
        cpu_model: cpu_model(),
        caches: caches(Path::new("/sys/devices/system/cpu/cpu0/cache")),
        os: os_name(),
        arch: std::env::consts::ARCH.into(),
        timer_resolution: timer_resolution(),
        ranks: crate::ranks::described().to_vec(),
    }
}

/// The cores this process may run on: the standard library's count, which honours CPU affinity
/// and cgroup quotas, so estimates and defaults fit the share of the machine a container gets.
/// Under an MPI launcher, rank 0 runs for the whole job: the cores of all its ranks (a launcher
/// may bind each rank to one core, so rank 0 alone may see one).
pub fn logical_cores() -> u32 {
    match crate::ranks::described() {
        [] => process_cores(),
        ranks => engine::model::mpi::job_cores(ranks),
    }
}

/// The cores this very process may run on.
pub fn process_cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// The logical CPUs this process may run on, by number (`Cpus_allowed_list` in
/// /proc/self/status: "0-3,8"); empty where the system does not say.
pub fn allowed_cpus() -> Vec<u32> {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            let list = t
                .lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
            cpu_list(list.trim())
        })
        .unwrap_or_default()
}

/// Parses a kernel CPU list ("0-3,8"); `None` if it is not one.
fn cpu_list(text: &str) -> Option<Vec<u32>> {
    let mut cpus = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => cpus.extend(a.trim().parse::<u32>().ok()?..=b.trim().parse().ok()?),
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    Some(cpus)
}

/// The host's logical cores, whatever this process is bound to: the processors /proc/cpuinfo
/// lists, where there is one.
pub fn host_cores() -> Option<u32> {
    let text = fs::read_to_string("/proc/cpuinfo").ok()?;
    let n = text.lines().filter(|l| l.starts_with("processor")).count() as u32;
    (n > 0).then_some(n)
}

/// Physical cores from `/proc/cpuinfo`: the sum of "cpu cores" over the distinct "physical id"s
/// (as `num_cpus::get_physical` counted them), or `None` where the file does not say, for
/// example on ARM, rather than a guess.
fn physical_cores(cpuinfo: &str) -> Option<u32> {
    let mut cores_of_package = std::collections::BTreeMap::new();
    let mut package = None;
    for line in cpuinfo.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key.trim() {
            "physical id" => package = value.trim().parse::<u32>().ok(),
            "cpu cores" => {
                if let (Some(p), Ok(c)) = (package, value.trim().parse::<u32>()) {
                    cores_of_package.insert(p, c);
                }
            }
            _ => {}
        }
    }
    let total: u32 = cores_of_package.values().sum();
    (total > 0).then_some(total)
}

fn cpu_model() -> Option<String> {
    let text = fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn os_name() -> String {
    let pretty = fs::read_to_string("/etc/os-release").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
    });
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_string());
    match (pretty, kernel) {
        (Some(p), Some(k)) => format!("{p} (Linux {k})"),
        (Some(p), None) => p,
        (None, Some(k)) => format!("Linux {k}"),
        (None, None) => std::env::consts::OS.into(),
    }
}

/// Parses sizes like "32K", "1024K", "32M".
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "" => n,
        "K" => n << 10,
        "M" => n << 20,
        "G" => n << 30,
        _ => return None,
    })
}

/// Counts the CPUs in a list like "0-3,8,10-11".
fn count_cpus(list: &str) -> Option<u32> {
    let mut n = 0;
    for part in list.trim().split(',').filter(|p| !p.is_empty()) {
        n += match part.split_once('-') {
            Some((a, b)) => b.parse::<u32>().ok()? - a.parse::<u32>().ok()? + 1,
            None => 1,
        };
    }
    Some(n)
}

fn caches(dir: &Path) -> Vec<Cache> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let read = |f: &str| fs::read_to_string(p.join(f)).ok();
        let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size"))
        else {
            continue;
        };
        let (Ok(level), Some(size_bytes)) = (level.trim().parse(), parse_size(&size)) else {
            continue;
        };
        out.push(Cache {
            level,
            kind: kind.trim().to_string(),
            size_bytes,
            shared_by: read("shared_cpu_list").and_then(|l| count_cpus(&l)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_lists_parse_as_the_kernel_writes_them() {
        assert_eq!(super::cpu_list("0-3,8"), Some(vec![0, 1, 2, 3, 8]));
        assert_eq!(super::cpu_list("1"), Some(vec![1]));
        assert_eq!(super::cpu_list("x"), None);
    }

    use super::*;

    #[test]
    fn sizes_and_cpu_lists_parse() {
        assert_eq!(parse_size("32K\n"), Some(32 * 1024));
        assert_eq!(parse_size("8M"), Some(8 << 20));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("x"), None);
        assert_eq!(count_cpus("0-3,8,10-11\n"), Some(7));
        assert_eq!(count_cpus("0"), Some(1));
    }

    #[test]
    fn physical_cores_count_each_package_once() {
        // Two packages of 4 cores with 2 threads each: 16 logical CPUs, 8 cores.
        let mut two_sockets = String::new();
        for cpu in 0..16 {
            two_sockets.push_str(&format!(
                "processor\t: {cpu}\nphysical id\t: {}\ncpu cores\t: 4\n\n",
                cpu / 8
            ));
        }
        assert_eq!(physical_cores(&two_sockets), Some(8));
        assert_eq!(
            physical_cores("processor\t: 0\nphysical id\t: 0\ncpu cores\t: 1\n"),
            Some(1)
        );
        // ARM's /proc/cpuinfo names neither: unknown, not a guess.
        assert_eq!(physical_cores("processor\t: 0\nBogoMIPS\t: 50.00\n"), None);
    }
}
