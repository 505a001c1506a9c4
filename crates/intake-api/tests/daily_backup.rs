//! The app's daily backup: set in Settings (checked, audited), made at once and then
//! once a day, the oldest beyond the number kept removed, each restorable; and the
//! warning every administrator gets at sign-in when the folder is gone or the newest
//! backup is more than 2 days old. Bad settings are refused by field.

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use intake_api::wire::{AuditFilterDto, SettingsUpdate};
use intake_api::{Api, Caller, ManualClock};

const CLI: Caller<'static> = Caller::Cli("tester");

fn backups(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn set(api: &Api, update: SettingsUpdate) -> Result<(), intake_api::ApiError> {
    api.update_settings(CLI, &update).map(|_| ())
}

fn folder_update(folder: &str) -> SettingsUpdate {
    SettingsUpdate {
        backup_folder: Some(folder.into()),
        ..Default::default()
    }
}

#[test]
fn a_folder_set_in_settings_gets_a_backup_at_once_then_daily_keeping_the_newest() {
    let data = tempfile::tempdir().unwrap();
    let shelf = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
    ));
    let api = Api::open_file(&data.path().join("intake.db"), clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    assert_eq!(
        api.run_daily_backup().unwrap(),
        None,
        "no folder, no backup"
    );

    let folder = shelf.path().display().to_string();
    set(
        &api,
        SettingsUpdate {
            backup_keep: Some(2),
            ..folder_update(&folder)
        },
    )
    .unwrap();
    let settings = api.get_settings(CLI).unwrap();
    assert_eq!(
        (settings.backup_folder.as_str(), settings.backup_keep),
        (folder.as_str(), 2)
    );
    assert_eq!(
        backups(shelf.path()),
        [
            "intake-backup-20261201T080000Z.db",
            "intake-backup-20261201T080000Z.db.head"
        ],
        "the first backup is made when the folder is set"
    );
    let status = api.backup_status(CLI).unwrap();
    assert_eq!(status.count, 1);
    assert_eq!(status.warning, None);
    assert_eq!(
        status.newest_at.as_deref(),
        Some("2026-12-01T08:00:00.000Z")
    );

    // Later the same day nothing is due; the next day one is.
    clock.advance(Duration::hours(5));
    assert_eq!(api.run_daily_backup().unwrap(), None);
    for _ in 0..3 {
        clock.advance(Duration::days(1));
        let made = api
            .run_daily_backup()
            .unwrap()
            .expect("a day later, one is due");
        assert!(made.records_checked > 0, "checked like intake backup's");
    }
    assert_eq!(
        backups(shelf.path()),
        [
            "intake-backup-20261203T130000Z.db",
            "intake-backup-20261203T130000Z.db.head",
            "intake-backup-20261204T130000Z.db",
            "intake-backup-20261204T130000Z.db.head",
        ],
        "the newest two kept, with their heads"
    );
    let all = AuditFilterDto {
        limit: Some(1000),
        ..Default::default()
    };
    let log = api
        .list_audit(CLI, &all)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "database.backed_up")
        .collect::<Vec<_>>();
    assert_eq!(log.len(), 4, "every backup is logged");
    assert_eq!(log[0].actor, "intake-desk (daily backup)");
    let changed = api
        .list_audit(CLI, &all)
        .unwrap()
        .into_iter()
        .any(|e| e.action == "settings.changed" && e.detail.to_string().contains(&folder));
    assert!(changed, "setting the folder is audited");
}

#[test]
fn administrators_are_warned_when_the_folder_is_gone_or_the_newest_is_old() {
    let data = tempfile::tempdir().unwrap();
    let shelf = tempfile::tempdir().unwrap();
    let drive = shelf.path().join("usb-drive");
    std::fs::create_dir(&drive).unwrap();
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
    ));
    let api = Api::open_file(&data.path().join("intake.db"), clock.clone()).unwrap();
    intake_demo::seed_demo(&api, CLI).unwrap();
    let warning = |user: &str| api.sign_in(user, "demo").unwrap().backup_warning;
    assert_eq!(warning("admin"), None, "off is not a warning");
    set(&api, folder_update(&drive.display().to_string())).unwrap();
    assert_eq!(warning("admin"), None, "a fresh backup");

    clock.advance(Duration::days(3));
    let old = warning("admin").expect("three days without a backup");
    assert!(
        old.contains("more than 2 days") && old.contains("2026-12-01 08:00 UTC"),
        "{old}"
    );
    assert_eq!(warning("nurse"), None, "only administrators are told");
    api.run_daily_backup().unwrap().expect("due");
    assert_eq!(warning("admin"), None);

    std::fs::remove_dir_all(&drive).unwrap();
    let gone = warning("admin").expect("the drive is gone");
    assert!(
        gone.contains("cannot be reached") && gone.contains("usb-drive"),
        "{gone}"
    );
    let e = api.run_daily_backup().unwrap_err().to_string();
    assert!(e.contains("cannot be read"), "{e}");
}

#[test]
fn bad_backup_settings_are_refused_by_field_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let shelf = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let api = Api::open_file(&data.path().join("intake.db"), clock).unwrap();
    let file = shelf.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let missing = shelf.path().join("missing").display().to_string();
    for (update, field, expected) in [
        (folder_update("backups"), "backupFolder", "whole path"),
        (folder_update(&missing), "backupFolder", "not a folder"),
        (
            folder_update(&file.display().to_string()),
            "backupFolder",
            "not a folder",
        ),
        (
            folder_update("/tmp/a\nb"),
            "backupFolder",
            "control characters",
        ),
        (
            SettingsUpdate {
                backup_keep: Some(0),
                ..Default::default()
            },
            "backupKeep",
            "from 1 to 365",
        ),
        (
            SettingsUpdate {
                backup_keep: Some(1000),
                ..Default::default()
            },
            "backupKeep",
            "from 1 to 365",
        ),
    ] {
        let e = set(&api, update).unwrap_err();
        match &e {
            intake_api::ApiError::Validation {
                field: Some(f),
                message,
            } => {
                assert_eq!(f, field, "{message}");
                assert!(message.contains(expected), "{message}");
            }
            other => panic!("expected a refusal of {field}: {other:?}"),
        }
    }
    let settings = api.get_settings(CLI).unwrap();
    assert_eq!(
        (settings.backup_folder.as_str(), settings.backup_keep),
        ("", 14)
    );
}
