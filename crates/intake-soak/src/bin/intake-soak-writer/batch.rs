//! Batch mode: one `export_batch` of every signed and amended visit into a folder, as
//! the command line runs it, with each progress report printed; the harness kills it
//! somewhere in the middle.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use intake_api::wire::BatchRequest;
use intake_api::{Api, Caller};
use intake_soak::protocol::{Line, Op, Outcome};

use crate::say;

pub(crate) fn run(api: &Api, folder: &Path) -> Result<(), String> {
    say(&Line::Ready);
    let request = BatchRequest {
        from: "2000-01-01".into(),
        to: "2099-12-31".into(),
        statuses: Vec::new(),
        folder: folder.to_path_buf(),
    };
    let cancel = AtomicBool::new(false);
    say(&Line::Begin(Op::Batch));
    let report = api.export_batch(Caller::Cli("soak"), &request, &cancel, &mut |p| {
        say(&Line::Progress(p.done, p.total))
    });
    match report {
        Ok(r) => {
            let outcome = Outcome::Batch(r.written, r.skipped, r.failed.len());
            say(&Line::Ack(Op::Batch, outcome));
            if let Some(why) = r.stopped {
                eprintln!("batch stopped: {why}");
            }
            Ok(())
        }
        Err(e) => {
            say(&Line::Err(Op::Batch, format!("{:?}: {e}", e.code())));
            Ok(())
        }
    }
}
