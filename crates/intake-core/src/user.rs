//! What a user name, a display name and a password must look like to be accepted.
//!
//! The limits are stated here once; the API returns them to the person at the field.

use std::fmt;

/// Longest accepted user name, in characters.
pub const USERNAME_MAX: usize = 64;
/// The characters a new user name may hold, as told to the person typing one.
pub const USERNAME_ALPHABET: &str =
    "ASCII letters a-z, digits 0-9, '.', '-' and '_', starting with a letter";

/// Longest accepted display name, in characters.
pub const DISPLAY_NAME_MAX: usize = 120;
/// Shortest accepted new password, in characters (demo accounts are seeded below it).
pub const PASSWORD_MIN: usize = 8;
/// Longest accepted password, in bytes (Argon2 takes any length; this bounds the work).
pub const PASSWORD_MAX_BYTES: usize = 256;

/// Why a value was refused; the message is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

/// A user name as stored: trimmed and lower-cased, 1 to 64 characters from the safe
/// alphabet [`USERNAME_ALPHABET`] (ASCII letters, digits, `.`, `-` and `_`, starting
/// with a letter), so that no two names can look alike on screen (`аdmin` with a
/// Cyrillic `а` is refused). Sign-in compares user names case-insensitively through
/// [`Username::lookup_key`], which accepts any text, so names stored before this rule
/// (say `łukasz`) still sign in and are listed; only new names must follow it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// Accepts a user name for a new account.
    pub fn parse(raw: &str) -> Result<Username, Invalid> {
        let name = raw.trim().to_lowercase();
        if name.is_empty() {
            return Err(invalid("username", "Enter a user name."));
        }
        if name.chars().count() > USERNAME_MAX {
            return Err(invalid(
                "username",
                format!("A user name has at most {USERNAME_MAX} characters."),
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
        if let Some(odd) = name.chars().find(|c| !allowed(*c)) {
            let shown = if odd.is_control() || odd.is_whitespace() {
                odd.escape_unicode().to_string()
            } else {
                format!("{odd:?} ({})", odd.escape_unicode())
            };
            return Err(invalid(
                "username",
                format!("A user name may hold only {USERNAME_ALPHABET}; {shown} is not allowed."),
            ));
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(invalid(
                "username",
                format!("A user name may hold only {USERNAME_ALPHABET}."),
            ));
        }
        Ok(Username(name))
    }

    /// The form used to look a user up at sign-in; never fails, so that a malformed name
    /// gets the same answer as a wrong password. Long input is cut, not echoed.
    pub fn lookup_key(raw: &str) -> String {
        raw.trim()
            .to_lowercase()
            .chars()
            .take(USERNAME_MAX + 1)
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name ("Anna Kowalska, RN"): trimmed, at most 120 characters, no control
/// characters. Empty means "use the user name".
pub fn display_name(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(invalid(
            "displayName",
            format!("A display name has at most {DISPLAY_NAME_MAX} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(
            "displayName",
            "A display name cannot hold control characters.",
        ));
    }
    Ok(name.to_string())
}

/// Checks a new password against the policy: 8 characters at least, 256 bytes at most,
/// not only white space, and not the user name itself.
pub fn check_new_password(password: &str, username: &str) -> Result<(), Invalid> {
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(invalid(
            "password",
            format!("A password has at most {PASSWORD_MAX_BYTES} bytes."),
        ));
    }
    if password.chars().count() < PASSWORD_MIN || password.trim().is_empty() {
        return Err(invalid(
            "password",
            format!("A password needs at least {PASSWORD_MIN} characters."),
        ));
    }
    if password.trim().eq_ignore_ascii_case(username) {
        return Err(invalid("password", "A password cannot be the user name."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_lower_cased() {
        let name = Username::parse("  Anna.K ").expect("a plain name is accepted");
        assert_eq!(name.as_str(), "anna.k");
    }

    #[test]
    fn usernames_refuse_empty_long_and_odd_characters() {
        for (raw, why) in [
            ("", "empty"),
            ("   ", "blank"),
            ("a b", "space"),
            ("anna;drop", "semicolon"),
            ("tab\tname", "control"),
        ] {
            let err = Username::parse(raw).expect_err(why);
            assert_eq!(
                err.field, "username",
                "{why}: the error is at the user name"
            );
        }
        let long = "a".repeat(10 * 1024);
        let err = Username::parse(&long).expect_err("10 KB is refused");
        assert!(
            err.message.contains("64"),
            "the limit is stated: {}",
            err.message
        );
    }

    #[test]
    fn look_alike_letters_are_refused_in_new_usernames() {
        // "аdmin" starts with a Cyrillic а (U+0430), which looks like a Latin a.
        let err = Username::parse("\u{430}dmin").expect_err("a Cyrillic a is refused");
        assert_eq!(err.field, "username", "the error is at the user name");
        assert!(
            err.message.contains("ASCII letters") && err.message.contains("u{430}"),
            "the message states the alphabet and names the odd letter: {}",
            err.message
        );
        assert!(
            Username::parse("łukasz").is_err(),
            "letters outside ASCII are refused for new names"
        );
        for (raw, why) in [("1anna", "a digit first"), ("_anna", "an underscore first")] {
            assert!(Username::parse(raw).is_err(), "{why} is refused");
        }
        assert_eq!(
            Username::parse("Anna.K-2_b").map(|n| n.to_string()),
            Ok("anna.k-2_b".to_string()),
            "the whole safe alphabet is accepted, case-folded"
        );
    }

    #[test]
    fn existing_odd_names_still_have_a_lookup_key() {
        assert_eq!(
            Username::lookup_key(" Łukasz "),
            "łukasz",
            "a name stored before the rule is still found at sign-in"
        );
    }

    #[test]
    fn lookup_key_never_fails_and_stays_bounded() {
        assert_eq!(Username::lookup_key(" Nurse "), "nurse");
        assert_eq!(
            Username::lookup_key(&"x".repeat(10_000)).len(),
            USERNAME_MAX + 1
        );
    }

    #[test]
    fn password_policy() {
        assert!(check_new_password("correct horse", "anna").is_ok());
        let short = check_new_password("short", "anna").expect_err("5 characters");
        assert!(
            short.message.contains('8'),
            "minimum stated: {}",
            short.message
        );
        assert!(
            check_new_password("        ", "anna").is_err(),
            "blank refused"
        );
        assert!(
            check_new_password("Annaanna", "annaanna").is_err(),
            "user name refused"
        );
        let long = check_new_password(&"p".repeat(10 * 1024), "anna").expect_err("10 KB");
        assert!(
            long.message.contains("256"),
            "maximum stated: {}",
            long.message
        );
    }

    #[test]
    fn display_names_refuse_control_characters_and_length() {
        assert_eq!(display_name("  Zoë Núñez ").as_deref(), Ok("Zoë Núñez"));
        assert!(display_name("a\u{7}b").is_err());
        assert!(display_name(&"n".repeat(121)).is_err());
    }
}
