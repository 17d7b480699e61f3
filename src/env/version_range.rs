//! Does a version satisfy an npm range (`^1.2.0`, `~1.2`, `>=1 <2`, `1.x`, `1.0.0 - 2.0.0`,
//! `a || b`)? Needed to know whether a workspace package that depends on `"@acme/email":
//! "^1.0.0"` gets the workspace copy (npm, yarn and pnpm link it when its version satisfies the
//! range). The answer is node-semver's own (the `node-semver` crate ports npm's semver package,
//! prerelease rules included: `1.0.0-beta.1` satisfies only a range naming a prerelease of
//! `1.0.0`); anything unparsable satisfies nothing.

/// Whether `version` (a package.json `version`) satisfies the npm `range`.
pub fn satisfies(version: &str, range: &str) -> bool {
    // npm reads an empty range as `*`.
    let range = match range.trim() {
        "" => "*",
        r => r,
    };
    let range = upper_partials(range);
    let (Ok(v), Ok(r)) = (
        node_semver::Version::parse(version.trim()),
        node_semver::Range::parse(&range),
    ) else {
        return false;
    };
    r.satisfies(&v)
}

/// `<=1.2` is `<1.3.0-0` in npm (a partial upper bound includes the whole of `1.2.x`), while
/// the node-semver crate (2.2) reads it as `<=1.2.0`. Rewritten before parsing so that the
/// crate answers as npm does; every other comparator is the crate's own.
fn upper_partials(range: &str) -> String {
    let mut out = String::with_capacity(range.len());
    let mut rest = range;
    while let Some(at) = rest.find("<=") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let spaces = after.len() - after.trim_start().len();
        let word_len = after[spaces..]
            .find(|c: char| c.is_whitespace() || c == '|')
            .unwrap_or(after.len() - spaces);
        let word = &after[spaces..spaces + word_len];
        let parts: Vec<&str> = word.trim_start_matches(['v', '=']).split('.').collect();
        let nums: Option<Vec<u64>> = parts
            .iter()
            .take_while(|p| !matches!(**p, "x" | "X" | "*"))
            .map(|p| p.parse().ok())
            .collect();
        match nums {
            Some(n) if !n.is_empty() && n.len() < 3 => {
                let next = match n.as_slice() {
                    [major] => major.checked_add(1).map(|m| format!("<{m}.0.0-0")),
                    [major, minor] => minor.checked_add(1).map(|m| format!("<{major}.{m}.0-0")),
                    _ => None,
                };
                match next {
                    Some(bound) => out.push_str(&bound),
                    None => out.push_str(&rest[at..at + 2 + spaces + word_len]),
                }
            }
            _ => out.push_str(&rest[at..at + 2 + spaces + word_len]),
        }
        rest = &after[spaces + word_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each answer is npm's own (`require("semver").satisfies(v, r)`, semver 7).
    #[test]
    fn npm_ranges() {
        let table = [
            ("1.2.3", "^1.0.0", true),
            ("2.0.0", "^1.0.0", false),
            ("0.2.5", "^0.2.3", true),
            ("0.3.0", "^0.2.3", false),
            ("0.0.3", "^0.0.3", true),
            ("0.0.4", "^0.0.3", false),
            ("0.9.0", "^0.x", true),
            ("1.0.0", "^0.x", false),
            ("1.4.0", "^1.x", true),
            ("1.2.9", "~1.2.3", true),
            ("1.3.0", "~1.2.3", false),
            ("1.9.0", "~1", true),
            ("1.2.3", "1.2.3", true),
            ("1.2.4", "1.2.3", false),
            ("1.2.4", "=1.2.4", true),
            ("1.2.4", "v1.2.4", true),
            ("1.5.0", "1.x", true),
            ("1.5.0", "1", true),
            ("2.0.0", "1.x", false),
            ("1.2.7", "1.2.*", true),
            ("3.0.0", "*", true),
            ("3.0.0", "", true),
            ("1.5.0", ">=1.2.0 <2.0.0", true),
            ("2.0.0", ">=1.2.0 <2.0.0", false),
            ("1.5.0", ">= 1.2.0 < 2", true),
            ("1.2.0", ">1.2.0", false),
            ("1.3.0", ">1.2", true),
            ("1.2.9", ">1.2", false),
            ("1.2.9", "<=1.2", true),
            ("1.3.0", "<=1.2", false),
            ("1.1.9", "<1.2", true),
            ("1.5.0", "1.0.0 - 2.0.0", true),
            ("2.0.1", "1.0.0 - 2.0.0", false),
            ("2.3.9", "1 - 2.3", true),
            ("2.4.0", "1 - 2.3", false),
            ("3.1.0", "^1.0.0 || ^3.0.0", true),
            ("2.1.0", "^1.0.0 || ^3.0.0", false),
            ("1.0.0-beta.1", "^1.0.0", false),
            ("1.0.0-beta.2", ">=1.0.0-beta.1", true),
            ("1.0.0-beta.10", ">1.0.0-beta.2", true),
            ("1.0.0+build.5", "1.0.0", true),
            // Not versions or ranges: nothing is satisfied, nothing panics.
            ("1.0", "^1.0.0", false),
            ("banana", "*", false),
            ("1.0.0", "latest", false),
            ("1.0.0", ">=", false),
            ("1.0.0", "^1.0.0.0", false),
            ("1.0.0", "^99999999999999999999999", false),
            ("1.0.0", "^18446744073709551615", false),
            ("1.0.0", "<=1.18446744073709551615", false),
            ("1.2.9", "<= 1.2", true),
            ("1.3.0-0", "<=1.2", false),
            ("1.9.9", "<=1", true),
            ("2.0.0", "<=1.x", false),
            ("1.9.0", "<=1.x", true),
        ];
        let wrong: Vec<_> = table
            .iter()
            .filter(|(v, r, want)| satisfies(v, r) != *want)
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
    }
}
