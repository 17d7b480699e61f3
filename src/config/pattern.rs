//! Regular expressions of the configuration, compiled once while it is read
//! (`#[serde(try_from = "String")]`, as prek's `config/pattern.rs`): a bad one fails the load
//! at its line, and the code that matches holds a compiled matcher, never a string to compile
//! again.

use std::fmt;

use serde::Deserialize;

/// A regular expression matched anywhere in the text (`[imports] not_files`,
/// `[commit] ticket`).
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Regex {
    raw: String,
    re: regex::Regex,
}

impl Regex {
    /// The expression as written in `hookctl.toml`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

impl TryFrom<String> for Regex {
    type Error = String;

    fn try_from(raw: String) -> Result<Regex, String> {
        match regex::Regex::new(&raw) {
            Ok(re) => Ok(Regex { raw, re }),
            Err(e) => Err(format!("invalid regular expression `{raw}`: {e}")),
        }
    }
}

/// A regular expression a whole value must match (`[env.vars.NAME] pattern`): compiled
/// anchored, `^(?:pattern)$`.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct WholeMatch {
    raw: String,
    re: regex::Regex,
}

impl WholeMatch {
    /// The expression as written in `hookctl.toml`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn is_match(&self, value: &str) -> bool {
        self.re.is_match(value)
    }
}

impl TryFrom<String> for WholeMatch {
    type Error = String;

    fn try_from(raw: String) -> Result<WholeMatch, String> {
        // Validated as written, so the error quotes the user's expression.
        let Regex { raw, .. } = Regex::try_from(raw)?;
        let re = regex::Regex::new(&format!("^(?:{raw})$"))
            .map_err(|e| format!("invalid regular expression `{raw}`: {e}"))?;
        Ok(WholeMatch { raw, re })
    }
}

macro_rules! by_text {
    ($($t:ty),*) => {$(
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.raw == other.raw
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.raw, f)
            }
        }

        /// Written back as the text it was read from (the schema's defaults).
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.raw)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.raw)
            }
        }
    )*};
}

by_text!(Regex, WholeMatch);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_once_and_anchored_where_whole() {
        let any = Regex::try_from("a+".to_string()).unwrap();
        assert!(any.is_match("xaay") && any.as_str() == "a+");
        let whole = WholeMatch::try_from("a+|b".to_string()).unwrap();
        assert!(whole.is_match("aa") && whole.is_match("b") && !whole.is_match("xaa"));
        let e = Regex::try_from("(unclosed".to_string()).err().unwrap();
        assert!(e.starts_with("invalid regular expression `(unclosed`"), "{e}");
        assert!(WholeMatch::try_from("[z-a]".to_string()).is_err());
    }
}
