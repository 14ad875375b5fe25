//! Short human forms of durations and session times, shared by the panes.

/// A duration in the largest unit that keeps it short: `12µs`, `3.4ms`,
/// `2.31s`, `1m05s`.
pub fn dur(ns: u64) -> String {
    const US: u64 = 1_000;
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    match ns {
        n if n < US => format!("{n}ns"),
        n if n < 10 * US && n % US != 0 => format!("{:.1}µs", n as f64 / US as f64),
        n if n < MS => format!("{}µs", n / US),
        // Whole units (zoom levels) print without decimals.
        n if n % MS == 0 && n < S => format!("{}ms", n / MS),
        n if n % S == 0 && n < 60 * S => format!("{}s", n / S),
        n if n < 10 * MS => format!("{:.2}ms", n as f64 / MS as f64),
        n if n < 100 * MS => format!("{:.1}ms", n as f64 / MS as f64),
        n if n < S => format!("{}ms", n / MS),
        n if n < 60 * S => format!("{:.2}s", n as f64 / S as f64),
        n => format!("{}m{:02}s", n / (60 * S), (n / S) % 60),
    }
}

/// A duration to two significant digits at most: `850ms`, `7.2s`, `42s`, `1m05s`.
pub fn about(ns: u64) -> String {
    const S: u64 = 1_000_000_000;
    match ns {
        n if n < S => dur(n / 10_000_000 * 10_000_000),
        n if n < 10 * S => format!("{:.1}s", (n / (S / 10)) as f64 / 10.0),
        n if n < 60 * S => format!("{}s", n / S),
        n => dur(n),
    }
}

/// The smallest round step (1, 2 or 5 times a power of ten, from 1 µs)
/// of at least `want_ns`: where the time axis puts its ticks.
pub fn round_step(want_ns: u64) -> u64 {
    let mut step = 1_000u64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= want_ns {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A point on the axis, printed with as many digits as the tick step needs:
/// ticks 500 ms apart read `0s 0.5s 1s 1.5s`, ticks 20 µs apart read `…µs`.
pub fn axis(t_ns: u64, step_ns: u64) -> String {
    const MS: u64 = 1_000_000;
    const S: u64 = 1_000_000_000;
    if step_ns >= 60 * S && t_ns.is_multiple_of(60 * S) {
        return format!("{}m", t_ns / (60 * S));
    }
    if step_ns >= S / 10 {
        let s = t_ns as f64 / S as f64;
        return trim(format!("{s:.1}")) + "s";
    }
    if step_ns >= MS / 10 {
        let ms = t_ns as f64 / MS as f64;
        return trim(format!("{ms:.1}")) + "ms";
    }
    let us = t_ns as f64 / 1e3;
    trim(format!("{us:.1}")) + "µs"
}

fn trim(s: String) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Text from a script or the prompt, made safe for the terminal: control,
/// invisible and width-changing characters are shown as escapes rather than
/// dropped or obeyed. Quotes and backslashes stay as written (unlike
/// payloads, this is not data). The rule is [`crate::escape::text`]'s.
pub fn safe(text: &str) -> String {
    crate::escape::text(text)
}

/// A count in at most five characters: `812`, `4096`, `45k`, `1.2M`.
pub fn count(n: u64) -> String {
    match n {
        n if n < 10_000 => n.to_string(),
        n if n < 1_000_000 => format!("{}k", n / 1000),
        n if n < 10_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n => format!("{}M", n / 1_000_000),
    }
}

/// A session time with millisecond precision: `t+3.214s`.
pub fn at(t_ns: u64) -> String {
    format!("t+{:.3}s", t_ns as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_stay_short() {
        assert_eq!(dur(900), "900ns");
        assert_eq!(dur(12_000), "12µs");
        assert_eq!(dur(3_400_000), "3.40ms");
        assert_eq!(dur(50_000_000), "50ms");
        assert_eq!(dur(2_000_000_000), "2s");
        assert_eq!(dur(5_000), "5µs");
        assert_eq!(dur(2_310_000_000), "2.31s");
        assert_eq!(dur(65_000_000_000), "1m05s");
    }

    #[test]
    fn about_rounds_down_to_two_digits() {
        assert_eq!(about(7_290_000_000), "7.2s");
        assert_eq!(about(42_900_000_000), "42s");
        assert_eq!(about(856_000_000), "850ms");
        assert_eq!(about(65_000_000_000), "1m05s");
    }

    #[test]
    fn counts_stay_short() {
        assert_eq!(count(4096), "4096");
        assert_eq!(count(45_310), "45k");
        assert_eq!(count(1_234_567), "1.2M");
        assert_eq!(count(98_000_000), "98M");
    }

    #[test]
    fn safe_shows_controls_as_escapes() {
        assert_eq!(safe("a\x1b[2J\"b\""), "a\\x1b[2J\"b\"");
        assert_eq!(safe("\u{202e}x"), "\\u{202e}x");
        assert_eq!(safe("a\u{2028}b\u{1f1e6}\u{3164}"), "a\\u{2028}b\\u{1f1e6}\\u{3164}");
    }

    #[test]
    fn axis_labels_follow_the_step() {
        assert_eq!(axis(1_500_000_000, 500_000_000), "1.5s");
        assert_eq!(axis(2_000_000_000, 500_000_000), "2s");
        assert_eq!(axis(250_000, 50_000), "250µs");
        assert_eq!(axis(120_000_000_000, 60_000_000_000), "2m");
    }
}
