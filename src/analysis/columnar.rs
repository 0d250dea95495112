//! Closed waves frozen into columnar files: one Parquet file per wave, beside the database
//! (`<database>.frozen/wave-<id>.v1.parquet`), holding the wave's loaded columns (see `load`)
//! so the analysis scans them with polars instead of decoding every answer's JSON again.
//!
//! The database stays the source of truth. A file is used only when its SHA-256 equals the
//! one recorded in `frozen_waves`, the record still matches what the file was made from
//! (the reference questionnaire, and the wave's last response id now), and the file has the
//! recorded number of rows and exactly the expected columns; otherwise the wave is read
//! from the database and the file is rebuilt. Triggers drop a wave's record whenever one of
//! its responses is added, changed or removed, so the record is not recounted (a count
//! over a million rows cost a tenth of a second per analysis). Open waves are always read
//! from the database.

use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::Error;

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Internal(format!("{}: {e}", path.display()))
}

/// The layout of a frozen file (the loaded columns, see `load`). A release that changes it
/// raises this number; files of another layout then have another name and are never read.
const FORMAT: u32 = 1;

/// Where a wave's file lives.
pub fn path(dir: &Path, wave_id: i64) -> PathBuf {
    dir.join(format!("wave-{wave_id}.v{FORMAT}.parquet"))
}

fn hex(bytes: &[u8]) -> String {
    crate::store::hex(&Sha256::digest(bytes))
}

/// The wave's frame from its file, if the file is there, has the recorded hash, `rows`
/// rows and exactly the `columns` with their types; `None` means "read the database".
pub fn read(
    path: &Path,
    sha256: &str,
    rows: usize,
    columns: &[(String, DataType)],
) -> Option<DataFrame> {
    let bytes = std::fs::read(path).ok()?;
    if hex(&bytes) != sha256 {
        tracing::warn!(file = %path.display(), "a frozen wave's file does not match its hash; rebuilding it");
        return None;
    }
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .ok()?;
    let found: Vec<(&str, &DataType)> = df
        .columns()
        .iter()
        .map(|c| (c.name().as_str(), c.dtype()))
        .collect();
    let expected: Vec<(&str, &DataType)> = columns.iter().map(|(n, t)| (n.as_str(), t)).collect();
    (df.height() == rows && found == expected).then_some(df)
}

/// Writes a wave's frame durably (temporary file, sync, rename, sync the folder) and
/// returns the file's SHA-256.
pub fn write(dir: &Path, wave_id: i64, df: &DataFrame) -> Result<String, Error> {
    // Every answer of the wave is in the file: folder and file are the owner's only.
    crate::files::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut bytes = Vec::new();
    // Uncompressed: the columns are dictionary- and run-length-encoded already, so zstd
    // saved little space and cost decoding time on every analysis.
    ParquetWriter::new(&mut bytes)
        .with_compression(ParquetCompression::Uncompressed)
        .finish(&mut df.clone())
        .map_err(|e| Error::Internal(format!("writing a frozen wave: {e}")))?;
    let target = path(dir, wave_id);
    let tmp = dir.join(format!(
        ".wave-{wave_id}.parquet.tmp-{}",
        std::process::id()
    ));
    let mut f = crate::files::create(&tmp).map_err(|e| io(&tmp, e))?;
    f.write_all(&bytes).map_err(|e| io(&tmp, e))?;
    f.sync_all().map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(hex(&bytes))
}
