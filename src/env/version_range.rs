//! Does a version satisfy an npm range (`^1.2.0`, `~1.2`, `>=1 <2`, `1.x`, `1.0.0 - 2.0.0`,
//! `a || b`)? Needed to know whether a workspace package that depends on `"@acme/email":
//! "^1.0.0"` gets the workspace copy (npm, yarn and pnpm link it when its version satisfies the
//! range). A small reader of node-semver's range grammar; prerelease tags order before their
//! release, and anything unparsable satisfies nothing.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    nums: [u64; 3],
    /// Prerelease identifiers (`1.0.0-beta.2` -> `beta`, `2`); empty for a release.
    pre: Vec<String>,
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nums
            .cmp(&other.nums)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_pre(&self.pre, &other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Prerelease identifiers: numeric ones numerically and before alphanumeric ones.
fn cmp_pre(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// A version with possibly missing or wildcard parts (`1`, `1.2.x`, `*`): the numbers given.
#[derive(Debug, Clone)]
struct Partial {
    nums: Vec<u64>,
    pre: Vec<String>,
}

fn parse_partial(s: &str) -> Option<Partial> {
    let s = s.trim().trim_start_matches(['v', '=']);
    // Build metadata never affects ordering.
    let s = s.split('+').next().unwrap_or("");
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, p.split('.').map(str::to_string).collect()),
        None => (s, Vec::new()),
    };
    let mut nums = Vec::new();
    for part in core.split('.') {
        if matches!(part, "x" | "X" | "*") {
            break;
        }
        nums.push(part.parse().ok()?);
    }
    if nums.len() > 3 {
        return None;
    }
    Some(Partial { nums, pre })
}

impl Partial {
    fn floor(&self) -> Version {
        let mut nums = [0; 3];
        nums[..self.nums.len()].copy_from_slice(&self.nums);
        Version {
            nums,
            pre: if self.nums.len() == 3 {
                self.pre.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// The first version above every version this partial stands for (`1.2` -> `1.3.0`).
    fn ceiling(&self) -> Option<Version> {
        let n = self.nums.len();
        if n == 0 {
            return None;
        }
        let mut nums = [0; 3];
        nums[..n].copy_from_slice(&self.nums);
        nums[n - 1] = nums[n - 1].saturating_add(1);
        Some(release(nums))
    }
}

fn release(nums: [u64; 3]) -> Version {
    Version {
        nums,
        pre: Vec::new(),
    }
}

/// A lower and an upper bound, each inclusive or not; `None` is unbounded.
#[derive(Debug, Default)]
struct Bounds {
    low: Option<(Version, bool)>,
    high: Option<(Version, bool)>,
}

impl Bounds {
    fn contains(&self, v: &Version) -> bool {
        let low = self
            .low
            .as_ref()
            .is_none_or(|(b, incl)| if *incl { v >= b } else { v > b });
        let high = self
            .high
            .as_ref()
            .is_none_or(|(b, incl)| if *incl { v <= b } else { v < b });
        low && high
    }
}

/// One comparator (`^1.2`, `>=1.0.0`, `1.x`) as bounds.
fn comparator(op: &str, p: &Partial) -> Bounds {
    let n = p.nums.len();
    let floor = p.floor();
    let ge = |v: Version| Some((v, true));
    let lt = |v: Option<Version>| v.map(|v| (v, false));
    match op {
        "^" => {
            // The first non-zero part given is the one that may not change.
            let high = match p.nums.iter().position(|&x| x != 0) {
                Some(i) if i < n => {
                    let mut nums = [0; 3];
                    nums[..=i].copy_from_slice(&p.nums[..=i]);
                    nums[i] = nums[i].saturating_add(1);
                    Some(release(nums))
                }
                _ => p.ceiling(),
            };
            Bounds {
                low: ge(floor),
                high: lt(high),
            }
        }
        "~" | "~>" => {
            let keep = if n >= 2 { 2 } else { n };
            let high = Partial {
                nums: p.nums[..keep].to_vec(),
                pre: Vec::new(),
            }
            .ceiling();
            Bounds {
                low: ge(floor),
                high: lt(high),
            }
        }
        ">=" => Bounds {
            low: ge(floor),
            high: None,
        },
        ">" if n < 3 => Bounds {
            low: p.ceiling().map(|c| (c, true)),
            high: p.ceiling().is_none().then(|| (release([0; 3]), false)),
        },
        ">" => Bounds {
            low: Some((floor, false)),
            high: None,
        },
        "<" => Bounds {
            low: None,
            high: Some((floor, false)),
        },
        "<=" if n < 3 => Bounds {
            low: None,
            high: lt(p.ceiling()),
        },
        "<=" => Bounds {
            low: None,
            high: Some((floor, true)),
        },
        // `=` or none: the partial itself (`1.2` is `>=1.2.0 <1.3.0`).
        _ if n < 3 => Bounds {
            low: ge(floor),
            high: lt(p.ceiling()),
        },
        _ => Bounds {
            low: ge(floor.clone()),
            high: Some((floor, true)),
        },
    }
}

/// Whether `version` (a package.json `version`) satisfies the npm `range`.
pub fn satisfies(version: &str, range: &str) -> bool {
    let Some(v) = parse_partial(version).filter(|p| p.nums.len() == 3) else {
        return false;
    };
    let v = v.floor();
    range.split("||").any(|set| set_contains(set.trim(), &v))
}

fn set_contains(set: &str, v: &Version) -> bool {
    if set.is_empty() {
        return true;
    }
    if let Some((a, b)) = set.split_once(" - ") {
        let (Some(a), Some(b)) = (parse_partial(a), parse_partial(b)) else {
            return false;
        };
        let high = if b.nums.len() == 3 {
            Some((b.floor(), true))
        } else {
            b.ceiling().map(|c| (c, false))
        };
        return Bounds {
            low: Some((a.floor(), true)),
            high,
        }
        .contains(v);
    }
    // Operators may be separated from their version by spaces (`>= 1.2.0`).
    let mut tokens = Vec::new();
    let mut pending = String::new();
    for t in set.split_whitespace() {
        pending.push_str(t);
        if t.trim_start_matches(['<', '>', '=', '^', '~']).is_empty() {
            continue;
        }
        tokens.push(std::mem::take(&mut pending));
    }
    if !pending.is_empty() {
        return false;
    }
    tokens.iter().all(|t| {
        let op_len = t.len() - t.trim_start_matches(['<', '>', '=', '^', '~']).len();
        let (op, rest) = t.split_at(op_len);
        match parse_partial(rest) {
            Some(p) => comparator(op, &p).contains(v),
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("1.0.0", "<=1.18446744073709551615", true),
        ];
        for (v, r, want) in table {
            assert_eq!(satisfies(v, r), want, "{v} {r}");
        }
    }
}
