//! The seccomp-bpf filter a spawned program carries: traced syscalls stop
//! the program for the tracer (SECCOMP_RET_TRACE); every other syscall runs
//! untouched (SECCOMP_RET_ALLOW). The kernel caches the verdict of a filter
//! that looks only at the syscall number, so untraced calls cost nothing.

use std::collections::BTreeMap;

use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};

use super::syscall::Syscall;

/// Builds the filter for the syscalls traced with these options.
pub fn build(read_write: bool) -> Result<BpfProgram, String> {
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(|e| e.to_string())?;
    let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> = Syscall::ALL
        .iter()
        .filter(|s| s.traced(read_write))
        .filter_map(|s| s.nr())
        .map(|nr| (nr, Vec::new()))
        .collect();
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Trace(0), arch)
        .map_err(|e| e.to_string())?;
    let mut prog: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| e.to_string())?;
    allow_other_arches(&mut prog);
    Ok(prog)
}

/// seccompiler kills a process that makes a syscall of another architecture
/// (a 32-bit call on x86-64). Such calls are not ours to trace: let them run.
fn allow_other_arches(prog: &mut BpfProgram) {
    const RET_K: u16 = 0x06;
    if let Some(insn) =
        prog.iter_mut().take(3).find(|i| i.code == RET_K && i.k == libc::SECCOMP_RET_KILL_PROCESS)
    {
        insn.k = libc::SECCOMP_RET_ALLOW;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_architectures_are_allowed_not_killed() {
        let prog = build(false).unwrap();
        assert!(prog.iter().all(|i| i.k != libc::SECCOMP_RET_KILL_PROCESS));
        assert!(prog.iter().any(|i| i.k == libc::SECCOMP_RET_TRACE));
        let rw = build(true).unwrap();
        assert!(rw.len() > prog.len(), "read/write add rules");
    }
}
