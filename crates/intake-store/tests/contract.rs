//! The store contract (`intake_store::contract`) run on SQLite: once in memory, once on a
//! real file in a temporary folder (WAL, the file's own locking).

mod in_memory {
    intake_store::store_contract!(
        intake_store::Store::open_in_memory().expect("an in-memory store opens")
    );
}

mod on_file {
    intake_store::store_contract!({
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = intake_store::Store::open(&dir.path().join("intake.db"))
            .expect("a new database file opens");
        intake_store::contract::Kept::new(store, dir)
    });
}
