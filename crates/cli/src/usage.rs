//! CPU time and peak memory of this process, for benchmarks.
use std::time::Duration;

/// User + system CPU time and peak resident memory so far.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub cpu: Duration,
    pub peak_rss_bytes: u64,
}

pub fn now() -> Usage {
    // SAFETY: getrusage writes into the struct we pass and has no other effect.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    Usage { cpu: tv(ru.ru_utime) + tv(ru.ru_stime), peak_rss_bytes: ru.ru_maxrss as u64 * 1024 }
}

/// The current resident set size (Linux `/proc/self/statm`; 0 elsewhere).
pub fn current_rss_bytes() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/statm") else { return 0 };
    let pages: u64 = s.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no side effects.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

/// CPU time of the waited-for child processes, and the largest peak resident memory among them.
pub fn children() -> Usage {
    // SAFETY: as in `now`.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    Usage { cpu: tv(ru.ru_utime) + tv(ru.ru_stime), peak_rss_bytes: ru.ru_maxrss as u64 * 1024 }
}
