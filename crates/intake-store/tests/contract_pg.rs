//! The store contract (`intake_store::contract`) run on PostgreSQL: each test on a
//! database of its own, cloned from a migrated template on the test cluster that
//! `scripts/with-postgres.sh` starts (`make test` runs every test beside one).

mod on_server {
    intake_store::store_contract!(intake_store::pg::testing::fresh_store());
}
