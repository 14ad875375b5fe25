//! Quiet stretches: spans of the session in which no call started or ended
//! on any lane. A live view may draw them narrow ("⋯ 7.2s idle ⋯") without
//! hiding a call or making two calls look simultaneous, since nothing
//! begins or ends inside one. A call still in the kernel may run through a
//! quiet stretch; it is not an event.

/// Shorter stretches are not worth narrowing at any zoom a person uses.
pub const MIN_QUIET_NS: u64 = 50_000_000;

#[derive(Debug, Default, Clone)]
pub struct Quiet {
    /// The first and the latest start or end seen.
    first_ns: Option<u64>,
    last_ns: u64,
    /// Quiet stretches `(from, to)`, oldest first, each at least
    /// [`MIN_QUIET_NS`] long with no start or end strictly inside.
    gaps: Vec<(u64, u64)>,
}

impl Quiet {
    /// A call started or ended at `t_ns`.
    pub fn mark(&mut self, t_ns: u64) {
        if self.first_ns.is_none() {
            self.first_ns = Some(t_ns);
            self.last_ns = t_ns;
            return;
        }
        self.first_ns = self.first_ns.map(|f| f.min(t_ns));
        if t_ns >= self.last_ns {
            if t_ns - self.last_ns >= MIN_QUIET_NS {
                self.gaps.push((self.last_ns, t_ns));
            }
            self.last_ns = t_ns;
        } else {
            self.split(t_ns);
        }
    }

    /// An event arrived late, inside an older stretch: that stretch is cut
    /// in two (pieces too short are dropped).
    fn split(&mut self, t_ns: u64) {
        let at = self.gaps.partition_point(|g| g.1 <= t_ns);
        let Some(&(a, b)) = self.gaps.get(at).filter(|g| g.0 < t_ns) else { return };
        let pieces: Vec<(u64, u64)> =
            [(a, t_ns), (t_ns, b)].into_iter().filter(|(x, y)| y - x >= MIN_QUIET_NS).collect();
        self.gaps.splice(at..=at, pieces);
    }

    /// When the first call started, if any did.
    pub fn first_ns(&self) -> Option<u64> {
        self.first_ns
    }

    /// The latest start or end.
    pub fn last_ns(&self) -> Option<u64> {
        self.first_ns.map(|_| self.last_ns)
    }

    /// The closed quiet stretches that end at or before `t_ns`, newest first.
    pub fn before(&self, t_ns: u64) -> impl Iterator<Item = (u64, u64)> + '_ {
        let p = self.gaps.partition_point(|g| g.1 <= t_ns);
        self.gaps[..p].iter().rev().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn stretches_between_events_are_kept_newest_first() {
        let mut q = Quiet::default();
        for t in [S, S + 10, 3 * S, 3 * S + 20_000_000, 10 * S] {
            q.mark(t);
        }
        assert_eq!(
            q.before(u64::MAX).collect::<Vec<_>>(),
            vec![(3 * S + 20_000_000, 10 * S), (S + 10, 3 * S)]
        );
        assert_eq!(q.before(9 * S).count(), 1);
        assert_eq!((q.first_ns(), q.last_ns()), (Some(S), Some(10 * S)));
    }

    #[test]
    fn a_late_event_splits_the_stretch_it_falls_in() {
        let mut q = Quiet::default();
        for t in [S, 5 * S, 2 * S, 4 * S + 990_000_000] {
            q.mark(t);
        }
        assert_eq!(q.before(u64::MAX).collect::<Vec<_>>(), vec![(2 * S, 4 * S + 990_000_000), (S, 2 * S)]);
    }
}
