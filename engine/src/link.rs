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

/// Deflates any serializable value's JSON into unpadded base64url: the encoding of every part
/// of a link.
pub fn pack<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_vec(value).expect("link values always serialize");
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&json).expect("writing to memory cannot fail");
    let deflated = enc.finish().expect("writing to memory cannot fail");
    URL_SAFE_NO_PAD.encode(deflated)
}

/// Reverses [`pack`] up to the JSON text, inflating at most `max` bytes.
pub fn unpack(payload: &str, max: usize) -> Result<String, LinkError> {
    let deflated = URL_SAFE_NO_PAD
        .decode(payload.trim())
        .map_err(|e| LinkError::Base64(e.to_string()))?;
    // Read at most one byte past the limit: enough to know the limit was exceeded, without ever
    // inflating a bomb.
    let mut json = Vec::new();
    DeflateDecoder::new(deflated.as_slice())
        .take(max as u64 + 1)
        .read_to_end(&mut json)
        .map_err(|e| LinkError::Deflate(e.to_string()))?;
    if json.len() > max {
        return Err(LinkError::TooLarge { max });
    }
    String::from_utf8(json).map_err(|_| LinkError::NotUtf8)
}

/// The payload for a URL fragment (without `#x=`).
pub fn encode(exp: &Experiment) -> String {
    pack(exp)
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
    let text = unpack(payload(link)?, MAX_SPEC_BYTES)?;
    Ok(Experiment::from_json(&text)?)
}

/// The value of another key of a link's fragment (`r=` for attached results), if present.
pub fn fragment_value<'a>(link: &'a str, key: &str) -> Option<&'a str> {
    let fragment = &link[link.find('#')? + 1..];
    let prefix = format!("{key}=");
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix(prefix.as_str()))
}

/// The fragment key that carries the sender's results, when they chose to attach them.
pub const RESULTS_KEY: &str = "r";

/// Largest results payload accepted from a link, inflated: results travel without their per-task
/// records, so this is generous.
pub const MAX_RESULTS_JSON: usize = crate::limits::MAX_RESULTS_JSON_BYTES;

/// Decodes the results a link carries (`&r=`), if any. The link's length is bounded as for
/// [`decode`], the inflated JSON by [`MAX_RESULTS_JSON`].
pub fn decode_results(link: &str) -> Result<Option<crate::result::ResultSet>, LinkError> {
    if link.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            len: link.len(),
            max: MAX_LINK_CHARS,
        });
    }
    let Some(payload) = fragment_value(link, RESULTS_KEY) else {
        return Ok(None);
    };
    let text = unpack(payload, MAX_RESULTS_JSON)?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| LinkError::Spec(crate::SpecError::Json(format!("attached results: {e}"))))
}
