//! Made-up patients: about 200 varied demo patients for trying the app, and any number
//! of reproducible synthetic ones for benchmarks. Names come from many languages, with
//! diacritics, hyphens and apostrophes; a few demo patients are near-duplicates of
//! others on purpose, as real registers have.

use chrono::{Duration, NaiveDate};
use intake_core::patient::{Sex, ValidPatient};

const FAMILIES: &[&str] = &[
    "Núñez",
    "Kowalski",
    "Nowak",
    "Müller",
    "Schäfer",
    "O'Brien",
    "Nguyễn",
    "García",
    "Martínez",
    "Silva",
    "Santos",
    "Björk",
    "Lindqvist",
    "Øvergaard",
    "Dvořák",
    "Horváth",
    "Papadopoulos",
    "Yılmaz",
    "Şahin",
    "Kim",
    "Park",
    "Tanaka",
    "Suzuki",
    "Chen",
    "Wang",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Haddad",
    "Cohen",
    "Levi",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "Fernández",
    "Jiménez",
    "Ivanova",
    "Petrov",
    "Kovačević",
    "Popescu",
    "Nagy",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "MacDonald",
    "D'Angelo",
    "Van der Berg",
    "Lewandowska",
    "Wójcik",
    "Abdullah",
    "Rahman",
    "Singh",
    "Patel",
    "Murphy",
    "Kelly",
    "Ó Súilleabháin",
    "Zieliński",
];
const GIVEN_FEMALE: &[&str] = &[
    "Zoë",
    "Anna",
    "Maria",
    "Sofía",
    "Ingrid",
    "Åsa",
    "Chloé",
    "Renée",
    "Małgorzata",
    "Agnieszka",
    "Yuki",
    "Mei",
    "Ji-woo",
    "Amara",
    "Chiamaka",
    "Fatima",
    "Leila",
    "Noa",
    "Giulia",
    "Élodie",
    "Olga",
    "Ioana",
    "Zsófia",
    "Aoife",
    "Siobhán",
    "Priya",
    "Ayşe",
    "Mary-Jane",
    "Linnea",
];
const GIVEN_MALE: &[&str] = &[
    "Łukasz",
    "Jan",
    "Piotr",
    "José",
    "João",
    "Lars",
    "Søren",
    "Jiří",
    "Dávid",
    "Kōji",
    "Hiroshi",
    "Wei",
    "Min-jun",
    "Chinedu",
    "Kwame",
    "Omar",
    "Yusuf",
    "David",
    "Luca",
    "François",
    "Andrés",
    "Dmitri",
    "Mihai",
    "Seán",
    "Rahul",
    "Mehmet",
    "Jean-Luc",
    "Björn",
    "Tomás",
];
const CITIES: &[&str] = &[
    "Kraków",
    "Malmö",
    "São Paulo",
    "Zürich",
    "Dublin",
    "Lagos",
    "Osaka",
    "Seoul",
    "Montréal",
    "Springfield",
    "Riverside",
    "Łódź",
];
const LANGUAGES: &[&str] = &[
    "en", "es", "pl", "de", "fr", "pt", "sv", "ja", "ko", "zh", "yo", "ar",
];

/// A small, fast, reproducible generator (SplitMix64).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn patient(rng: &mut Rng, today: NaiveDate, serial: u64) -> ValidPatient {
    let female = rng.below(2) == 0;
    let sex = match rng.below(50) {
        0 => Sex::Other,
        1 => Sex::Unknown,
        _ if female => Sex::Female,
        _ => Sex::Male,
    };
    let given = if female {
        rng.pick(GIVEN_FEMALE)
    } else {
        rng.pick(GIVEN_MALE)
    };
    let mut family = rng.pick(FAMILIES).to_string();
    if rng.below(12) == 0 {
        family = format!("{family}-{}", rng.pick(FAMILIES));
    }
    let birth_date = today - Duration::days(365 + rng.below(95 * 365) as i64);
    let phone = if rng.below(8) == 0 {
        String::new()
    } else {
        format!(
            "+1 555 {:03} {:04}",
            rng.below(1000),
            (serial * 7919 + rng.below(7919) as u64) % 10_000
        )
    };
    let email = if rng.below(3) == 0 {
        format!("patient{serial}@example.org")
    } else {
        String::new()
    };
    ValidPatient {
        mrn: None,
        family,
        given: given.to_string(),
        birth_date,
        sex,
        phone,
        email,
        address_line: format!("{} Demo Street", 1 + rng.below(400)),
        city: rng.pick(CITIES).to_string(),
        postal_code: format!("{:05}", rng.below(100_000)),
        country: String::new(),
        language: rng.pick(LANGUAGES).to_string(),
        emergency_name: String::new(),
        emergency_relationship: String::new(),
        emergency_phone: String::new(),
        notes: String::new(),
    }
}

fn fixed(family: &str, given: &str, birth: (i32, u32, u32), sex: Sex, phone: &str) -> ValidPatient {
    ValidPatient {
        mrn: None,
        family: family.into(),
        given: given.into(),
        birth_date: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap_or(NaiveDate::MIN),
        sex,
        phone: phone.into(),
        email: String::new(),
        address_line: String::new(),
        city: String::new(),
        postal_code: String::new(),
        country: String::new(),
        language: String::new(),
        emergency_name: String::new(),
        emergency_relationship: String::new(),
        emergency_phone: String::new(),
        notes: String::new(),
    }
}

/// The demo register: named patients a demonstration can rely on, near-duplicates
/// among them, then generated ones up to 200.
pub fn demo_patients(today: NaiveDate) -> Vec<ValidPatient> {
    let mut out = vec![
        fixed("Núñez", "Zoë", (1984, 3, 7), Sex::Female, "+1 555 010 0101"),
        fixed("Nunez", "Zoe", (1984, 3, 7), Sex::Female, ""),
        fixed(
            "Kowalski",
            "Łukasz",
            (1975, 11, 2),
            Sex::Male,
            "+48 22 555 0199",
        ),
        fixed("Kowalksi", "Lukasz", (1975, 11, 2), Sex::Male, ""),
        fixed(
            "O'Brien-Smith",
            "Mary",
            (1990, 6, 15),
            Sex::Female,
            "+353 1 555 0123",
        ),
        fixed("Smith", "John", (1962, 1, 30), Sex::Male, "+1 555 010 0202"),
        fixed("Smith", "Jon", (1962, 1, 30), Sex::Male, ""),
        fixed("Ñúñez", "Łukasz", (2001, 9, 9), Sex::Male, ""),
    ];
    let mut rng = Rng(0x001D_7ACE_5EED);
    let mut serial = out.len() as u64;
    while out.len() < 200 {
        serial += 1;
        out.push(patient(&mut rng, today, serial));
    }
    out
}

/// `n` reproducible synthetic patients for benchmarks; the same `seed` gives the same
/// patients.
pub fn synthetic_patients(
    seed: u64,
    today: NaiveDate,
    n: u64,
) -> impl Iterator<Item = ValidPatient> {
    let mut rng = Rng(seed);
    (0..n).map(move |serial| patient(&mut rng, today, serial))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_patients() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let a: Vec<_> = synthetic_patients(7, today, 50).collect();
        let b: Vec<_> = synthetic_patients(7, today, 50).collect();
        let c: Vec<_> = synthetic_patients(8, today, 50).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn demo_patients_are_valid_and_varied() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let demo = demo_patients(today);
        assert_eq!(demo.len(), 200);
        assert!(demo.iter().any(|p| p.family.contains('\'')), "apostrophes");
        assert!(demo.iter().any(|p| p.family.contains('-')), "hyphens");
        assert!(demo
            .iter()
            .all(|p| p.birth_date < today && p.birth_date > NaiveDate::MIN));
    }
}
