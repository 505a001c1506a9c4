//! What makes an existing patient look like the one being registered: a similar name
//! on the same birth date (folded, swapped, a prefix, or a small typing distance), the
//! same phone or the same email. The store finds candidates; this decides.

use crate::text;

/// Why an existing patient looks like the one being registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReason {
    SameBirthDateSimilarName,
    SamePhone,
    SameEmail,
}

impl DuplicateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::SameBirthDateSimilarName => "same date of birth and a similar name",
            DuplicateReason::SamePhone => "same phone number",
            DuplicateReason::SameEmail => "same email address",
        }
    }
}

fn similar_word(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return a == b;
    }
    if a == b {
        return true;
    }
    let shorter = a.chars().count().min(b.chars().count());
    if shorter >= 3 && (a.starts_with(b) || b.starts_with(a)) {
        return true;
    }
    let allowed = if shorter <= 4 { 1 } else { 2 };
    text::edit_distance_within(a, b, allowed).is_some()
}

/// Whether two names (family, given) probably belong to one person: equal once folded,
/// given and family swapped, one a prefix of the other ("Kat" / "Katarzyna"), or a
/// small typing distance apart ("Jon" / "John", "Kowalski" / "Kowalksi").
pub fn similar_names(a: (&str, &str), b: (&str, &str)) -> bool {
    let (af, ag) = (text::compact(a.0), text::compact(a.1));
    let (bf, bg) = (text::compact(b.0), text::compact(b.1));
    let same_order = similar_word(&af, &bf) && similar_word(&ag, &bg);
    let swapped = similar_word(&af, &bg) && similar_word(&ag, &bf);
    same_order || swapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_names_true_cases() {
        for (a, b) in [
            (("Núñez", "Zoë"), ("NUNEZ", "zoe")),
            (("Nunez", "Zoe"), ("Zoe", "Nunez")),
            (("Kowalski", "Jan"), ("Kowalksi", "Jan")),
            (("Smith", "Jon"), ("Smith", "John")),
            (("Nowak", "Kat"), ("Nowak", "Katarzyna")),
            (("O'Brien-Smith", "Mary"), ("OBrien Smith", "Mary")),
            (("Łukasz", "Anna"), ("Lukasz", "Anna")),
        ] {
            assert!(similar_names(a, b), "{a:?} ~ {b:?}");
        }
    }

    #[test]
    fn similar_names_false_cases() {
        for (a, b) in [
            (("Smith", "John"), ("Nguyen", "John")),
            (("Smith", "Anna"), ("Smith", "Peter")),
            (("Lee", "Al"), ("Li", "Bo")),
        ] {
            assert!(!similar_names(a, b), "{a:?} !~ {b:?}");
        }
    }
}
