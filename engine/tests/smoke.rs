use engine::*;

#[test]
fn smoke() {
    for w in WorkloadKind::ALL {
        for m in ModelKind::ALL {
            if m == ModelKind::ProcessPool {
                continue;
            }
            let mut exp = Experiment::new(w, m, if m == ModelKind::Sequential { 1 } else { 2 });
            exp.repetitions = 1;
            exp.warmups = 0;
            let n = match w {
                WorkloadKind::Mandelbrot => 200,
                WorkloadKind::SpectralNorm => 100,
                WorkloadKind::FannkuchRedux => 7,
                WorkloadKind::NBody => 1000,
                WorkloadKind::Primes => 10000,
                WorkloadKind::Square => 1000,
                WorkloadKind::Sleep => 5,
                WorkloadKind::Stream => 1 << 16,
                WorkloadKind::Counter => 10000,
                WorkloadKind::Amdahl => 20,
            };
            exp.workload.n = n;
            let exp = exp.validate().unwrap();
            let t = std::time::Instant::now();
            let r = run_experiment(&exp, &RunEnv::default(), &mut |_| {});
            match r {
                Ok(r) => {
                    let x = r.results.last().unwrap();
                    println!(
                        "{w} {m}: {:?} {} {:.3}s {}",
                        x.verified,
                        x.verification,
                        t.elapsed().as_secs_f64(),
                        x.answer.summary
                    );
                }
                Err(e) => println!("{w} {m}: ERR {e}"),
            }
        }
    }
}
