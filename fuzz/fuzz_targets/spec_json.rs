//! Any text as a spec file (`native-runner run --spec`, `window.playground.run`): an experiment
//! or a `SpecError`, never a panic; an accepted spec round-trips through its JSON form.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(exp) = engine::Experiment::from_json(text) {
        let again = engine::Experiment::from_json(&exp.to_json()).expect("its own JSON reads");
        assert_eq!(again, exp, "JSON round trip");
    }
});
