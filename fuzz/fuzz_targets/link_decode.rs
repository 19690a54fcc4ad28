//! Any text as a share link: decoding returns an experiment or a `LinkError`, never panics, and an
//! experiment that decodes is canonical: valid, and it survives encode/decode unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(exp) = engine::link::decode(text) {
        assert_eq!(exp.validate().as_ref(), Ok(&exp), "a decoded link is canonical");
        let again = engine::link::decode(&engine::link::fragment(&exp)).expect("re-decodes");
        assert_eq!(again, exp, "encode/decode round trip");
    }
});
