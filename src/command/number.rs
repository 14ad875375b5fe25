//! Exact decimal numbers for durations. Floats are avoided on purpose:
//! `0.2` must become exactly 200 ms, and `1e-3` exactly 1 ms.

/// At most this many significant digits are kept. 19 digits cover the
/// largest accepted duration in nanoseconds, and keep `mant * unit` in u128.
const MAX_DIGITS: u32 = 19;

/// `mant * 10^scale`, with a sign, as written (e.g. `-1.5e3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decimal {
    pub negative: bool,
    mant: u128,
    scale: i64,
}

impl Decimal {
    pub fn is_zero(&self) -> bool {
        self.mant == 0
    }

    /// The value times `unit_ns`, in whole nanoseconds (truncated), or `None`
    /// if it does not fit in a u128.
    pub fn nanos(&self, unit_ns: u128) -> Option<u128> {
        if self.mant == 0 {
            return Some(0);
        }
        let base = self.mant.checked_mul(unit_ns)?;
        let exp = u32::try_from(self.scale.unsigned_abs()).ok()?;
        match 10u128.checked_pow(exp) {
            Some(p) if self.scale >= 0 => base.checked_mul(p),
            Some(p) => Some(base / p),
            // A huge negative exponent: the value is below a nanosecond.
            None if self.scale < 0 => Some(0),
            None => None,
        }
    }
}

/// Splits `s` into a decimal number and what follows it (the unit). `None`
/// if `s` does not start with a number (after an optional sign).
pub(crate) fn split_decimal(s: &str) -> Option<(Decimal, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let mut d = Decimal { negative, mant: 0, scale: 0 };
    let mut digits = 0u32;
    let int_digits = take_digits(b, &mut i, |c| d.push(c, false, &mut digits));
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = take_digits(b, &mut i, |c| d.push(c, true, &mut digits));
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    d.scale = d.scale.saturating_add(exponent(b, &mut i));
    // `i` only ever steps over ASCII bytes, so it is a char boundary.
    Some((d, &s[i..]))
}

impl Decimal {
    /// Adds one digit. Digits past MAX_DIGITS are dropped: in the integer
    /// part they still scale the value up, in the fraction they are noise.
    fn push(&mut self, c: u8, fraction: bool, digits: &mut u32) {
        let v = u128::from(c - b'0');
        if *digits >= MAX_DIGITS {
            if !fraction {
                self.scale = self.scale.saturating_add(1);
            }
            return;
        }
        if self.mant != 0 || v != 0 {
            *digits += 1;
        }
        self.mant = self.mant * 10 + v;
        if fraction {
            self.scale -= 1;
        }
    }
}

/// Consumes ASCII digits at `*i`, calling `f` on each; returns how many.
fn take_digits(b: &[u8], i: &mut usize, mut f: impl FnMut(u8)) -> usize {
    let start = *i;
    while let Some(&c) = b.get(*i).filter(|c| c.is_ascii_digit()) {
        f(c);
        *i += 1;
    }
    *i - start
}

/// An optional `e[+-]DIGITS` exponent at `*i`. A lone `e` is left alone, as
/// it may begin a unit. Saturates far beyond any useful range.
fn exponent(b: &[u8], i: &mut usize) -> i64 {
    if !matches!(b.get(*i), Some(b'e' | b'E')) {
        return 0;
    }
    let mut j = *i + 1;
    let neg = b.get(j) == Some(&b'-');
    if matches!(b.get(j), Some(b'-' | b'+')) {
        j += 1;
    }
    let mut e: i64 = 0;
    if take_digits(b, &mut j, |c| e = (e * 10 + i64::from(c - b'0')).min(1_000_000)) == 0 {
        return 0;
    }
    *i = j;
    if neg { -e } else { e }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(s: &str) -> (Option<u128>, String) {
        let (d, rest) = split_decimal(s).unwrap();
        (d.nanos(1_000_000_000), rest.to_string())
    }

    #[test]
    fn exact_values() {
        assert_eq!(ns("0.2"), (Some(200_000_000), String::new()));
        assert_eq!(ns("1e-3"), (Some(1_000_000), String::new()));
        assert_eq!(ns("1.5s"), (Some(1_500_000_000), "s".into()));
        assert_eq!(ns("2E+1ms"), (Some(20_000_000_000), "ms".into()));
        assert_eq!(ns("3e"), (Some(3_000_000_000), "e".into()));
        assert_eq!(ns(".5"), (Some(500_000_000), String::new()));
        assert_eq!(ns("5."), (Some(5_000_000_000), String::new()));
    }

    #[test]
    fn extremes_do_not_overflow() {
        assert_eq!(ns("1e999999999999").0, None);
        assert_eq!(ns("1e-999999999999").0, Some(0));
        assert_eq!(ns(&"9".repeat(500)).0, None);
        assert_eq!(ns(&format!("0.{}", "1".repeat(500))).0, Some(111_111_111));
        assert_eq!(ns("0e999999999").0, Some(0));
    }

    #[test]
    fn not_numbers() {
        assert!(split_decimal("").is_none());
        assert!(split_decimal("-").is_none());
        assert!(split_decimal(".").is_none());
        assert!(split_decimal("nan").is_none());
        assert!(split_decimal("-x").is_none());
    }
}
