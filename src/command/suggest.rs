//! "Did you mean …?" for mistyped words.

/// The closest of `choices` to `word`, if it is close enough to be a likely
/// typo. An abbreviation (`nonblock`) or an overlong form (`write` for `wr`,
/// `recvfrom` for `recv`) also counts. Case is ignored on both sides.
pub(crate) fn closest<'c>(word: &str, choices: &[&'c str]) -> Option<&'c str> {
    let word = word.to_lowercase();
    let len = word.chars().count();
    // Short words tolerate one slip; longer ones two.
    let limit = if len <= 3 { 1 } else { 2 };
    let best = choices
        .iter()
        .map(|&c| (distance(&word, &c.to_lowercase()), c))
        .min_by_key(|&(d, _)| d)
        .filter(|&(d, _)| d <= limit)
        .map(|(_, c)| c);
    let abbrev = || choices.iter().copied().find(|c| len >= 3 && c.to_lowercase().starts_with(&word));
    let longer = || choices.iter().copied().find(|c| c.len() >= 2 && word.starts_with(&c.to_lowercase()));
    best.or_else(abbrev).or_else(longer)
}

/// Optimal-string-alignment distance: Levenshtein plus adjacent swaps, so
/// `sned` is one edit from `send`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Words this long are never typos of a command word; skip the work.
    if a.len() > 64 {
        return usize::MAX;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = match (i, j) {
                (0, j) => j,
                (i, 0) => i,
                _ => {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    let mut v =
                        (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                        v = v.min(d[(i - 2) * w + j - 2] + 1);
                    }
                    v
                }
            };
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_abbreviations() {
        let words = ["recv", "send", "close", "nonblocking", "peer"];
        assert_eq!(closest("rcv", &words), Some("recv"));
        assert_eq!(closest("sned", &words), Some("send"));
        assert_eq!(closest("CLOSE", &words), Some("close"));
        assert_eq!(closest("nonblock", &words), Some("nonblocking"));
        assert_eq!(closest("xyzzy", &words), None);
        assert_eq!(closest("write", &["rd", "wr", "both"]), Some("wr"));
        assert_eq!(closest("recvfrom", &words), Some("recv"));
        assert_eq!(closest("", &words), None);
        assert_eq!(closest(&"a".repeat(10_000), &words), None);
    }

    #[test]
    fn distance_counts_swaps_once() {
        assert_eq!(distance("sned", "send"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
