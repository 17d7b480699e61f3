//! The order a hook's jobs run in: one stage per `group` (or `priority`), the stages one after
//! another, the jobs of a stage at the same time. A hook that sets neither is one stage, as
//! before groups existed.
//!
//! Named groups run in the order of `[[hook.groups]]`, else of their first job in the list;
//! priorities from the lowest up; jobs with neither run last. A stage's `fail_fast` (its
//! own, else the hook's) stops the hook at its first failing job.

use crate::config::HookConfig;

/// One group of jobs that run together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `lint`, `priority 1`; `None` for the jobs that set no group.
    pub name: Option<String>,
    /// Indices into the hook's `jobs`, in config order.
    pub jobs: Vec<usize>,
    pub fail_fast: bool,
    pub parallel: bool,
}

/// Whether the hook orders its jobs or places its checks (and so prints an ordered summary).
pub fn is_ordered(hc: &HookConfig) -> bool {
    hc.checks_order.is_some()
        || !hc.groups.is_empty()
        || hc.jobs.iter().any(|j| j.group.is_some() || j.priority.is_some())
}

/// The hook's stages, in the order they run (validated at load: see
/// `config::condition::validate_order`).
pub fn stages(hc: &HookConfig) -> Vec<Stage> {
    let hook_fail_fast = hc.fail_fast.unwrap_or(false);
    let hook_parallel = hc.parallel != Some(false);
    // (key, name): the key orders the stages.
    let mut keys: Vec<(u64, Option<String>)> = Vec::new();
    let mut of_job: Vec<usize> = Vec::new();
    for job in &hc.jobs {
        let (key, name) = match (&job.group, job.priority) {
            (Some(g), _) => {
                let declared = hc.groups.iter().position(|d| d.name == *g);
                let first = keys.iter().position(|(_, n)| n.as_deref() == Some(g.as_str()));
                let key = match (declared, first) {
                    (Some(i), _) => i as u64,
                    (None, Some(i)) => keys[i].0,
                    // Undeclared names: after the declared ones, by first appearance.
                    (None, None) => (hc.groups.len() + keys.len()) as u64,
                };
                (key, Some(g.clone()))
            }
            (None, Some(p)) => (u64::from(p), Some(format!("priority {p}"))),
            (None, None) => (u64::MAX, None),
        };
        let i = if let Some(i) = keys.iter().position(|(_, n)| *n == name) {
            i
        } else {
            keys.push((key, name));
            keys.len() - 1
        };
        of_job.push(i);
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i].0);
    order
        .into_iter()
        .map(|i| {
            let name = keys[i].1.clone();
            let declared = name
                .as_deref()
                .and_then(|n| hc.groups.iter().find(|g| g.name == n));
            Stage {
                jobs: (0..hc.jobs.len()).filter(|&j| of_job[j] == i).collect(),
                fail_fast: declared.and_then(|g| g.fail_fast).unwrap_or(hook_fail_fast),
                parallel: declared.and_then(|g| g.parallel).unwrap_or(hook_parallel),
                name,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(toml: &str) -> HookConfig {
        let c = crate::config::parse(std::path::Path::new("h.toml"), toml).unwrap();
        c.hooks["pre-commit"].clone()
    }

    fn shape(hc: &HookConfig) -> Vec<(Option<String>, Vec<usize>, bool)> {
        stages(hc)
            .into_iter()
            .map(|s| (s.name, s.jobs, s.fail_fast))
            .collect()
    }

    #[test]
    fn no_groups_is_one_stage() {
        let hc = hook(
            "[[pre-commit.jobs]]\nname = \"a\"\nrun = \"x\"\n[[pre-commit.jobs]]\nname = \"b\"\nrun = \"y\"\n",
        );
        assert!(!is_ordered(&hc));
        assert_eq!(shape(&hc), [(None, vec![0, 1], false)]);
    }

    #[test]
    fn declared_groups_run_in_declared_order_ungrouped_last() {
        let hc = hook(
            r#"
[pre-commit]
fail_fast = true
[[pre-commit.groups]]
name = "fix"
[[pre-commit.groups]]
name = "check"
fail_fast = false
[[pre-commit.jobs]]
name = "lint"
run = "x"
group = "check"
[[pre-commit.jobs]]
name = "note"
run = "x"
[[pre-commit.jobs]]
name = "format"
run = "x"
group = "fix"
[[pre-commit.jobs]]
name = "types"
run = "x"
group = "check"
"#,
        );
        assert_eq!(
            shape(&hc),
            [
                (Some("fix".into()), vec![2], true),
                (Some("check".into()), vec![0, 3], false),
                (None, vec![1], true),
            ]
        );
    }

    #[test]
    fn priorities_run_lowest_first_and_unset_last() {
        let hc = hook(
            "[[pre-commit.jobs]]\nname = \"a\"\nrun = \"x\"\npriority = 2\n[[pre-commit.jobs]]\nname = \"b\"\nrun = \"x\"\n[[pre-commit.jobs]]\nname = \"c\"\nrun = \"x\"\npriority = 1\n[[pre-commit.jobs]]\nname = \"d\"\nrun = \"x\"\npriority = 2\n",
        );
        assert_eq!(
            shape(&hc),
            [
                (Some("priority 1".into()), vec![2], false),
                (Some("priority 2".into()), vec![0, 3], false),
                (None, vec![1], false),
            ]
        );
    }

    #[test]
    fn undeclared_names_follow_their_first_job() {
        let hc = hook(
            "[[pre-commit.jobs]]\nname = \"a\"\nrun = \"x\"\ngroup = \"late\"\n[[pre-commit.jobs]]\nname = \"b\"\nrun = \"x\"\ngroup = \"early\"\n[[pre-commit.jobs]]\nname = \"c\"\nrun = \"x\"\ngroup = \"late\"\n",
        );
        assert_eq!(
            shape(&hc),
            [
                (Some("late".into()), vec![0, 2], false),
                (Some("early".into()), vec![1], false)
            ]
        );
    }
}
