//! The compact link form of an experiment: its JSON, deflated, in unpadded base64url, carried in
//! a URL fragment as `#x=<payload>`.
//!
//! The fragment never reaches a server, so a shared experiment stays between the people sharing
//! it. Decoding accepts a whole URL, a fragment with or without `#`, or the bare payload, and
//! refuses anything it cannot read exactly, with a [`LinkError`] that says which step failed.

use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use crate::error::LinkError;
use crate::limits::{MAX_LINK_CHARS, MAX_SPEC_BYTES};
use crate::spec::Experiment;

/// The fragment key that carries an experiment.
pub const FRAGMENT_KEY: &str = "x";

/// The payload for a URL fragment (without `#x=`).
pub fn encode(exp: &Experiment) -> String {
    let json = serde_json::to_vec(exp).expect("an experiment always serializes");
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&json).expect("writing to memory cannot fail");
    let deflated = enc.finish().expect("writing to memory cannot fail");
    URL_SAFE_NO_PAD.encode(deflated)
}

/// The fragment, `#x=<payload>`, to append to the playground's address.
pub fn fragment(exp: &Experiment) -> String {
    format!("#{FRAGMENT_KEY}={}", encode(exp))
}

/// Finds the payload in a URL, a fragment or a bare payload.
fn payload(link: &str) -> Result<&str, LinkError> {
    let link = link.trim();
    if link.is_empty() {
        return Err(LinkError::Empty);
    }
    let chars = link.chars().count();
    if chars > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            len: chars,
            max: MAX_LINK_CHARS,
        });
    }
    let fragment = match link.find('#') {
        Some(i) => &link[i + 1..],
        None if link.contains("://") => return Err(LinkError::NoExperiment),
        None => link,
    };
    let prefix = format!("{FRAGMENT_KEY}=");
    let found = fragment
        .split('&')
        .find_map(|part| part.strip_prefix(prefix.as_str()));
    match found {
        Some(p) if !p.is_empty() => Ok(p),
        Some(_) => Err(LinkError::NoExperiment),
        None if fragment.contains('=') => Err(LinkError::NoExperiment),
        None if fragment.is_empty() => Err(LinkError::NoExperiment),
        None => Ok(fragment),
    }
}

/// Decodes and validates the experiment a link carries.
pub fn decode(link: &str) -> Result<Experiment, LinkError> {
    let payload = payload(link)?;
    let deflated = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| LinkError::Base64(e.to_string()))?;
    // Read at most one byte past the limit: enough to know the limit was exceeded, without ever
    // inflating a bomb.
    let mut json = Vec::new();
    DeflateDecoder::new(deflated.as_slice())
        .take(MAX_SPEC_BYTES as u64 + 1)
        .read_to_end(&mut json)
        .map_err(|e| LinkError::Deflate(e.to_string()))?;
    if json.len() > MAX_SPEC_BYTES {
        return Err(LinkError::TooLarge {
            max: MAX_SPEC_BYTES,
        });
    }
    let text = String::from_utf8(json).map_err(|_| LinkError::NotUtf8)?;
    Ok(Experiment::from_json(&text)?)
}
