//! `HOOKCTL_TIMINGS=1`: how long each phase of a run took, on stderr, one line a phase:
//!
//! ```text
//! hookctl: timing: <phase>: <wall> ms (CPU <user+system> ms, peak memory <VmHWM>, ended <at> ms)
//! ```
//!
//! Wall time first (scripts read the number after the phase's name); the CPU time beside it is
//! the whole process's, every thread's, user plus system (`getrusage`) over the same span: on
//! a shared machine the wall time is mostly waiting, the CPU time is the work. `ended` is the
//! wall time from the first mark of the run to the line: the phases of several threads (a
//! download beside the resolver's setup) on one time line.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Whether `HOOKCTL_TIMINGS` is on (read once).
pub fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| crate::env_vars::flag(crate::env_vars::HOOKCTL_TIMINGS))
}

/// The run's first mark (what `ended` counts from).
static START: OnceLock<Instant> = OnceLock::new();

/// A point in the run a phase is measured from: its wall clock and the CPU time used so far.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    wall: Instant,
    cpu: Duration,
}

impl Mark {
    /// Now. Reads the CPU clock only when timings are on.
    pub fn now() -> Mark {
        let wall = Instant::now();
        if on() {
            START.get_or_init(|| wall);
        }
        Mark {
            wall,
            cpu: if on() {
                crate::platform::cpu_time()
            } else {
                Duration::ZERO
            },
        }
    }

    /// Wall time since this mark.
    pub fn elapsed(&self) -> Duration {
        self.wall.elapsed()
    }
}

/// Print `phase`'s line: wall and CPU time since `since`, and the peak memory so far.
pub fn report(phase: &str, since: &Mark) {
    if !on() {
        return;
    }
    let wall = since.wall.elapsed();
    let cpu = crate::platform::cpu_time().saturating_sub(since.cpu);
    errln!(
        "hookctl: timing: {phase}: {:.1} ms (CPU {:.1} ms, peak memory {}, ended {:.1} ms)",
        wall.as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0,
        peak_memory(),
        START.get().map_or(0.0, |s| s.elapsed().as_secs_f64() * 1000.0)
    );
}

/// Peak resident memory so far, where the OS tells it (Linux `VmHWM`); empty elsewhere.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|st| {
            st.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    /// The CPU clock moves while this thread works (bounded: a clock that never moves fails
    /// after ten seconds instead of hanging).
    #[test]
    fn cpu_time_grows_with_work() {
        let before = crate::platform::cpu_time();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while crate::platform::cpu_time() <= before && start.elapsed() < std::time::Duration::from_secs(10) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
        }
        assert!(
            crate::platform::cpu_time() > before,
            "the CPU clock did not move ({x})"
        );
    }
}
