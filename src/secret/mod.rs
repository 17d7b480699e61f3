//! What a secret looks like ([`formats`]: the table of `data/secret-formats.toml`), where the
//! secrets of a text are ([`find`]: by the formats' own alphabets, every occurrence, any line
//! length; [`generic`]: a high-entropy value given to a secret-like name, a random-looking
//! token), and text with them masked ([`redact`]): the one filter every text taken from the
//! user's files passes through before hookctl prints it (messages, specifiers, names, help,
//! job output, error messages), and [`redact_source`], the stricter one of the source lines
//! shown under findings. A leaf: it knows no rule.

pub mod find;
pub mod formats;
pub mod generic;
pub mod stream;

use std::borrow::Cow;

pub use find::{Found, find};
pub use formats::{
    HIGH_ENTROPY_BITS, HIGH_ENTROPY_MIN_LEN, is_high_entropy, is_placeholder, is_secret_like_name,
    known_secret_format, repeated_placeholder, shannon_entropy, tables,
};
pub use stream::Stream;

/// What a masked byte shows.
pub const MASK: u8 = b'*';

/// `text` with every secret [`find`] sees masked (the bytes after the prefix that names the
/// kind, `sk_live_****`, a URL's password, a private key's body), and every high-entropy value
/// given to a secret-like name ([`generic::named_values`]). Each masked byte becomes one `*`
/// (blanks and line ends stay), so byte offsets and line numbers still hold.
pub fn redact_bytes(text: &[u8]) -> Cow<'_, [u8]> {
    masked(text, false)
}

/// [`redact_bytes`], and every random-looking token too ([`generic::random_tokens`], what
/// `secrets/in-source` reports with `[secrets] entropy = true`, whatever the config says): the
/// masking of the source lines shown under findings, where a token is code, never a message
/// (job output and messages keep their commit ids and hashes).
pub fn redact_source(text: &[u8]) -> Cow<'_, [u8]> {
    masked(text, true)
}

fn masked(text: &[u8], tokens: bool) -> Cow<'_, [u8]> {
    let found = find(text);
    let mut ranges: Vec<(usize, usize)> = found.iter().map(|f| f.mask).collect();
    let mut generic = generic::named_values(text);
    if tokens {
        generic.extend(generic::random_tokens(text));
    }
    // A known format's value keeps the prefix that names its kind (`sk_live_****`).
    generic.retain(|&(s, e)| !found.iter().any(|f| f.start < e && s < f.end));
    ranges.extend(generic);
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_vec();
    for (start, end) in ranges {
        for b in &mut out[start..end] {
            if !b.is_ascii_whitespace() {
                *b = MASK;
            }
        }
    }
    Cow::Owned(out)
}

/// [`redact_bytes`] of a string.
pub fn redact(text: &str) -> Cow<'_, str> {
    match redact_bytes(text.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // Whole characters are replaced by ASCII: still UTF-8.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// Whether `text` holds a secret [`redact`] masks.
pub fn holds_secret(text: &str) -> bool {
    matches!(redact_bytes(text.as_bytes()), Cow::Owned(_))
}

#[cfg(test)]
pub(crate) mod tests;
