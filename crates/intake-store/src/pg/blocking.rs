//! The synchronous `postgres` client drives a small tokio runtime of its own, and tokio
//! refuses (with a panic) to start one on a thread that is already running async tasks,
//! as the desktop app's commands do on Tauri's runtime. Every call into the client goes
//! through [`outside_async`]: on a multi-threaded runtime it runs in `block_in_place`
//! (the worker hands its other tasks on meanwhile); on a single-threaded runtime it is
//! refused with an error saying so, never a panic; elsewhere it simply runs.

use tokio::runtime::{Handle, RuntimeFlavor};

use crate::StoreError;

pub(crate) fn outside_async<T>(f: impl FnOnce() -> T) -> Result<T, StoreError> {
    match Handle::try_current() {
        Err(_) => Ok(f()),
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            Ok(tokio::task::block_in_place(f))
        }
        Ok(_) => Err(StoreError::Refused {
            why: "the clinic server cannot be called from a single-threaded async runtime; \
                  call it from a blocking thread or a multi-threaded runtime"
                .into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_thread_runs_it() {
        assert_eq!(outside_async(|| 7).unwrap(), 7);
    }

    #[test]
    fn a_multi_threaded_runtime_runs_it_in_place() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap();
        let got = rt.block_on(async {
            tokio::spawn(async {
                // A nested runtime's block_on, as the postgres client does, is allowed.
                outside_async(|| {
                    tokio::runtime::Builder::new_current_thread()
                        .build()
                        .unwrap()
                        .block_on(async { 8 })
                })
            })
            .await
            .unwrap()
        });
        assert_eq!(got.unwrap(), 8);
    }

    #[test]
    fn a_single_threaded_runtime_is_refused_with_a_message() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let got = rt.block_on(async { outside_async(|| 9) });
        let e = got.unwrap_err().to_string();
        assert!(e.contains("single-threaded async runtime"), "{e}");
    }
}
