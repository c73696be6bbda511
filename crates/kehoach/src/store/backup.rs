//! The store's side of `kehoach backup` (`crate::backup`).

use std::path::Path;

use super::{Db, StoreError};
use crate::store::Store;

impl Store {
    /// Writes a consistent copy of the SQLite database to `path` (`VACUUM INTO`: one read
    /// transaction, so writers carry on and the copy is the database at one instant). `None` on
    /// PostgreSQL, which `pg_dump` backs up.
    pub async fn vacuum_into(&self, path: &Path) -> Result<Option<()>, StoreError> {
        let Db::Sqlite(pool) = self.db() else {
            return Ok(None);
        };
        let path = path
            .to_str()
            .ok_or_else(|| StoreError::Invalid(format!("{}: not UTF-8", path.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(pool)
            .await?;
        Ok(Some(()))
    }
}
