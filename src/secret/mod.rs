//! What a secret looks like ([`formats`]: the table of `data/secret-formats.toml`), where the
//! secrets of a text are ([`find`]: by the formats' own alphabets, every occurrence, any line
//! length), and text with them masked ([`redact`]): the one filter every text taken from the
//! user's files passes through before hookctl prints it (source lines under findings,
//! messages, specifiers, names, help, job output, error messages). A leaf: it knows no rule.

pub mod find;
pub mod formats;

use std::borrow::Cow;

pub use find::{Found, find};
pub use formats::{
    HIGH_ENTROPY_BITS, HIGH_ENTROPY_MIN_LEN, is_high_entropy, is_placeholder, known_secret_format,
    repeated_placeholder, shannon_entropy, tables,
};

/// What a masked byte shows.
pub const MASK: u8 = b'*';

/// `text` with every secret [`find`] sees masked: the bytes after the prefix that names the
/// kind (`sk_live_****`), a URL's password, a private key's body. Each masked byte becomes one
/// `*` (blanks and line ends stay), so byte offsets and line numbers still hold.
pub fn redact_bytes(text: &[u8]) -> Cow<'_, [u8]> {
    let found = find(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_vec();
    for f in &found {
        for b in &mut out[f.mask.0..f.mask.1] {
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

/// Whether `text` holds a secret [`find`] sees.
pub fn holds_secret(text: &str) -> bool {
    !find(text.as_bytes()).is_empty()
}

#[cfg(test)]
pub(crate) mod tests;
