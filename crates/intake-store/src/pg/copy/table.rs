//! One table's rows from SQLite to the server: the server's columns (in their order)
//! and types, the same columns read by name from SQLite, each value converted by the
//! server's type and sent with binary `COPY`. Also the search words, which SQLite keeps
//! in FTS5 instead.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

use super::super::{error, patients, PgDb};
use crate::StoreError;

/// `"name"`: a table or column name from the schema, quoted for SQL.
pub(super) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A server column: its name and type.
struct Column {
    name: String,
    ty: Type,
}

/// The server's columns of `table`, in their order.
fn server_columns(db: &PgDb<'_>, table: &str) -> Result<Vec<Column>, StoreError> {
    let statement = db.statement(&format!("SELECT * FROM {} LIMIT 0", quote(table)))?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name().to_string(),
            ty: c.type_().clone(),
        })
        .collect())
}

/// SQLite's columns of `table`, each with its place in the primary key (0: none).
fn local_columns(conn: &Connection, table: &str) -> Result<Vec<(String, i64)>, rusqlite::Error> {
    let mut statement = conn.prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?;
    let rows = statement.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// The server's refusal of rows of `table`, with what it says about the row.
pub(super) fn refused(table: &str, e: postgres::Error, server: &str) -> StoreError {
    match e.as_db_error() {
        Some(db) => {
            let mut why = format!("{server} refused the rows of {table}: {}", db.message());
            if let Some(detail) = db.detail() {
                why.push_str(&format!(" ({detail})"));
            }
            if let Some(place) = db.where_() {
                why.push_str(&format!(" [{place}]"));
            }
            StoreError::Refused { why }
        }
        None => error::classify(e, server),
    }
}

/// Copies every row of `table`; returns how many.
pub(super) fn copy_table(
    db: &PgDb<'_>,
    conn: &Connection,
    table: &'static str,
    server: &str,
) -> Result<u64, StoreError> {
    let columns = server_columns(db, table)?;
    let local = local_columns(conn, table)?;
    let unlike = |why: String| {
        StoreError::damaged(
            table,
            "its columns",
            format!("the local database and {server} differ: {why}; nothing was copied"),
        )
    };
    if local.is_empty() {
        return Err(unlike("the local database has no such table".into()));
    }
    if let Some((name, _)) = local
        .iter()
        .find(|(name, _)| !columns.iter().any(|c| &c.name == name))
    {
        return Err(unlike(format!("column {name} has no place on the server")));
    }
    if let Some(c) = columns
        .iter()
        .find(|c| !local.iter().any(|(name, _)| name == &c.name))
    {
        return Err(unlike(format!(
            "the server's column {} is not local",
            c.name
        )));
    }
    // The primary key, in its order: it names a row and orders the reading.
    let mut key: Vec<(i64, usize)> = local
        .iter()
        .filter(|(_, pk)| *pk > 0)
        .filter_map(|(name, pk)| {
            let at = columns.iter().position(|c| &c.name == name)?;
            Some((*pk, at))
        })
        .collect();
    key.sort();
    let key: Vec<usize> = key.into_iter().map(|(_, at)| at).collect();
    let names = columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let order = if key.is_empty() {
        String::new()
    } else {
        let by: Vec<String> = key.iter().map(|&i| quote(&columns[i].name)).collect();
        format!(" ORDER BY {}", by.join(", "))
    };
    let mut statement = conn.prepare(&format!("SELECT {names} FROM {}{order}", quote(table)))?;
    let types: Vec<Type> = columns.iter().map(|c| c.ty.clone()).collect();

    let mut tx = db.tx.borrow_mut();
    let sink = tx
        .copy_in(&format!(
            "COPY {} ({names}) FROM STDIN (FORMAT binary)",
            quote(table)
        ))
        .map_err(|e| refused(table, e, server))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut rows = statement.query([])?;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
        for (i, column) in columns.iter().enumerate() {
            let value = convert(row.get_ref(i)?, &column.ty).map_err(|why| {
                StoreError::damaged(
                    table,
                    describe_row(row, &key, &columns),
                    format!("column {}: {why}; nothing was copied", column.name),
                )
            })?;
            values.push(value);
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        writer.write(&refs).map_err(|e| refused(table, e, server))?;
        count += 1;
    }
    writer.finish().map_err(|e| refused(table, e, server))?;
    Ok(count)
}

/// "id 12", "encounter_id 3, answer_key weight": a row by its primary key.
fn describe_row(row: &Row<'_>, key: &[usize], columns: &[Column]) -> String {
    let parts: Vec<String> = key
        .iter()
        .map(|&i| {
            let value = match row.get_ref(i) {
                Ok(ValueRef::Integer(n)) => n.to_string(),
                Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                Ok(ValueRef::Real(r)) => r.to_string(),
                Ok(ValueRef::Null) => "NULL".to_string(),
                Ok(ValueRef::Blob(_)) | Err(_) => "?".to_string(),
            };
            format!("{} {value}", columns[i].name)
        })
        .collect();
    if parts.is_empty() {
        "a row".to_string()
    } else {
        parts.join(", ")
    }
}

/// A SQLite value as the server's type `ty` takes it, or why it cannot be.
fn convert(value: ValueRef<'_>, ty: &Type) -> Result<Box<dyn ToSql + Sync>, String> {
    let int = |n: i64| -> Result<Box<dyn ToSql + Sync>, String> {
        if *ty == Type::INT8 {
            Ok(Box::new(n))
        } else if *ty == Type::INT4 {
            i32::try_from(n)
                .map(|v| Box::new(v) as Box<dyn ToSql + Sync>)
                .map_err(|_| format!("{n} is out of the server's integer range"))
        } else if *ty == Type::INT2 {
            i16::try_from(n)
                .map(|v| Box::new(v) as Box<dyn ToSql + Sync>)
                .map_err(|_| format!("{n} is out of the server's smallint range"))
        } else if *ty == Type::BOOL {
            match n {
                0 => Ok(Box::new(false)),
                1 => Ok(Box::new(true)),
                other => Err(format!("{other} is not a flag (0 or 1)")),
            }
        } else if *ty == Type::FLOAT8 {
            Ok(Box::new(n as f64))
        } else {
            Err(format!("the integer {n} does not convert to {}", ty.name()))
        }
    };
    match value {
        ValueRef::Null => null_of(ty),
        ValueRef::Integer(n) => int(n),
        ValueRef::Real(r) if *ty == Type::FLOAT8 => Ok(Box::new(r)),
        ValueRef::Text(bytes) if *ty == Type::TEXT || *ty == Type::VARCHAR => {
            let text =
                std::str::from_utf8(bytes).map_err(|_| "text that is not UTF-8".to_string())?;
            if text.contains('\0') {
                return Err("text with a NUL character, which the server cannot keep".into());
            }
            Ok(Box::new(text.to_string()))
        }
        ValueRef::Blob(bytes) if *ty == Type::BYTEA => Ok(Box::new(bytes.to_vec())),
        ValueRef::Real(r) => Err(format!("the number {r} does not convert to {}", ty.name())),
        ValueRef::Text(_) => Err(format!("text does not convert to {}", ty.name())),
        ValueRef::Blob(_) => Err(format!("bytes do not convert to {}", ty.name())),
    }
}

/// A NULL of the server's type `ty`.
fn null_of(ty: &Type) -> Result<Box<dyn ToSql + Sync>, String> {
    let null: Box<dyn ToSql + Sync> = if *ty == Type::INT8 {
        Box::new(None::<i64>)
    } else if *ty == Type::INT4 {
        Box::new(None::<i32>)
    } else if *ty == Type::INT2 {
        Box::new(None::<i16>)
    } else if *ty == Type::BOOL {
        Box::new(None::<bool>)
    } else if *ty == Type::FLOAT8 {
        Box::new(None::<f64>)
    } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
        Box::new(None::<String>)
    } else if *ty == Type::BYTEA {
        Box::new(None::<Vec<u8>>)
    } else {
        return Err(format!(
            "the server's type {} is not one a copy knows",
            ty.name()
        ));
    };
    Ok(null)
}

/// Writes the server's search words of every patient, as inserting it there does;
/// returns how many.
pub(super) fn copy_search_words(
    db: &PgDb<'_>,
    conn: &Connection,
    server: &str,
) -> Result<u64, StoreError> {
    const T: &str = "patient_search_words";
    let mut statement =
        conn.prepare("SELECT id, family, given, phone FROM patients ORDER BY id")?;
    let mut tx = db.tx.borrow_mut();
    let sink = tx
        .copy_in("COPY patient_search_words (patient_id, col, word) FROM STDIN (FORMAT binary)")
        .map_err(|e| refused(T, e, server))?;
    let mut writer = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::TEXT, Type::TEXT]);
    let mut rows = statement.query([])?;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let family: String = row.get(1)?;
        let given: String = row.get(2)?;
        let phone: String = row.get(3)?;
        let (names, phones) = patients::search_words(&family, &given, &phone);
        for (col, words) in [("names", names), ("phones", phones)] {
            for word in words {
                writer
                    .write(&[&id, &col, &word])
                    .map_err(|e| refused(T, e, server))?;
                count += 1;
            }
        }
    }
    writer.finish().map_err(|e| refused(T, e, server))?;
    Ok(count)
}
