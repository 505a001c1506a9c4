//! Who runs the command, for the audit log: the account name of the process's real uid
//! as the system's account database knows it (`getpwuid_r`, which also asks NSS
//! sources such as LDAP). `$USER`, `$LOGNAME` and `$USERNAME` are never read: anyone can
//! set them (`USER=drsmith intake ...`). A uid without a name is `uid:<n>`.
//!
//! This module holds the CLI's only `unsafe` code: two libc calls with buffers it owns.

/// The real uid's account name, or `uid:<n>` when it has none.
#[cfg(unix)]
pub fn real_user() -> String {
    // SAFETY: getuid cannot fail and has no preconditions.
    let uid = unsafe { libc::getuid() };
    name_of(uid).unwrap_or_else(|| format!("uid:{uid}"))
}

/// Elsewhere there is no uid; the account is unknown.
#[cfg(not(unix))]
pub fn real_user() -> String {
    "uid:unknown".to_string()
}

/// The account name of `uid`, if the account database has one that is valid UTF-8.
#[cfg(unix)]
fn name_of(uid: libc::uid_t) -> Option<String> {
    let mut size = 1024usize;
    // Grows the buffer while the entry does not fit, up to 1 MiB.
    while size <= 1 << 20 {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: passwd is plain data; an all-zero value is valid, and getpwuid_r
        // fills it on success.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to memory owned here, `buf` is `size` long, and
        // `found` is only read after the call returns.
        let rc = unsafe { libc::getpwuid_r(uid, &mut entry, buf.as_mut_ptr(), size, &mut found) };
        if rc == libc::ERANGE {
            size *= 4;
            continue;
        }
        if rc != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name points at a NUL-terminated string inside `buf`,
        // which lives until the end of this iteration.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return name
            .to_str()
            .ok()
            .filter(|n| !n.is_empty())
            .map(str::to_string);
    }
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn root_is_named_and_an_unknown_uid_is_not() {
        assert_eq!(name_of(0).as_deref(), Some("root"), "uid 0 is root");
        assert_eq!(
            name_of(4_000_000_000),
            None,
            "a uid no account has gives no name (the caller falls back to uid:<n>)"
        );
    }
}
