//! Any text as the results part of a link (`&r=`): unpacking is bounded and a result set that
//! reads back serializes and reads again to the same value.
#![no_main]

use engine::result::ResultSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(json) = engine::link::unpack(text, engine::link::MAX_RESULTS_JSON)
        && let Ok(set) = serde_json::from_str::<ResultSet>(&json)
    {
        let again: ResultSet =
            serde_json::from_str(&serde_json::to_string(&set).expect("serializes"))
                .expect("reads back");
        assert_eq!(again, set, "JSON round trip");
    }
});
