//! Medical record numbers: what a clinic may enter, and the numbers the app generates,
//! a sequence with a Luhn check digit that catches one mistyped digit or two swapped ones.

use crate::patient::LIMITS;

fn max_len() -> usize {
    LIMITS
        .iter()
        .find(|(f, _)| *f == "mrn")
        .map_or(20, |(_, n)| *n)
}

/// Whether a clinic-entered MRN is acceptable: 1 to 20 letters, digits and '-'.
pub fn is_valid_mrn(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= max_len()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The Luhn check digit of a digit string.
fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// The generated MRN for sequence number `seq`: six or more digits, '-', and a Luhn
/// check digit that catches one mistyped digit or two swapped ones ("000042-9").
pub fn generated_mrn(seq: u64) -> String {
    let body = format!("{seq:06}");
    format!("{body}-{}", luhn_digit(&body))
}

/// Whether `s` is a generated MRN whose check digit is right.
pub fn generated_mrn_is_valid(s: &str) -> bool {
    match s.split_once('-') {
        Some((body, check)) if body.len() >= 6 && body.chars().all(|c| c.is_ascii_digit()) => {
            check.len() == 1
                && check.chars().next().and_then(|c| c.to_digit(10)) == Some(luhn_digit(body))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_mrns_carry_a_luhn_check_digit() {
        assert_eq!(generated_mrn(42), "000042-2");
        assert!(generated_mrn_is_valid(&generated_mrn(123_456)));
        assert!(
            generated_mrn_is_valid(&generated_mrn(1_234_567)),
            "past six digits"
        );
        assert!(!generated_mrn_is_valid("000042-5"), "a wrong check digit");
        assert!(!generated_mrn_is_valid("000024-2"), "swapped digits");
    }
}
