//! The contract's hooks for PostgreSQL ([`Tamper`]): raw SQL as `psql` would run it.

use super::PgStore;
use crate::contract::{AuditEdit, Damage, Tamper};
use crate::StoreError;

impl Tamper for PgStore {
    fn plant(&self, damage: &Damage) -> Result<(), StoreError> {
        let _ = damage;
        Err(StoreError::Refused {
            why: "plant is not yet implemented on the clinic server".into(),
        })
    }

    fn edit_audit_directly(&self, seq: i64, edit: AuditEdit) -> Result<(), StoreError> {
        let _ = (seq, edit);
        Err(StoreError::Refused {
            why: "edit_audit_directly is not yet implemented on the clinic server".into(),
        })
    }
}
