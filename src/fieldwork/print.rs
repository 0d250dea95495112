//! Print files: what the print vendor needs for the letters, and the reminder list.
//!
//! A print file is a CSV with the frame's address columns, then `code` (grouped, as printed),
//! `link` (`<public origin>/k/<code>`) and `qr` (the QR code's SVG file in the `qr/` folder
//! beside it). Rows are sorted by address, so their order says nothing about the draw. It is
//! written to a temporary name and renamed into place only after the codes are stored, and an
//! existing file is never overwritten: codes cannot be printed again. Print files, reminder
//! lists, QR codes and their folder are their owner's only (0600, 0700): with the code key,
//! a code leads from a name to a letter's use.

use std::path::{Path, PathBuf};

use super::codes::{Code, CodeKey};

/// One letter of a print file.
#[derive(Debug, Clone)]
pub struct Letter {
    pub address: Vec<String>,
    pub code: Code,
}

/// The link a letter's QR code points to; with the letter's language, the survey opens in it.
pub fn link(origin: &str, code: &Code, lang: Option<&str>) -> String {
    let base = format!("{}/k/{}", origin.trim_end_matches('/'), code.as_str());
    match lang {
        Some(l) => format!("{base}?lang={l}"),
        None => base,
    }
}

/// The QR code of a link as SVG.
pub fn qr_svg(link: &str) -> Result<String, String> {
    let qr = qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M)
        .map_err(|e| format!("QR code: {e}"))?;
    Ok(qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

/// A print file being written beside its final name; [`Staged::finish`] gives it its name,
/// dropping it removes it.
pub struct Staged {
    tmp: PathBuf,
    tmp_qr: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Staged {
    pub fn finish(mut self) -> Result<(), String> {
        let qr = qr_dir(&self.target);
        std::fs::rename(&self.tmp_qr, &qr)
            .and_then(|_| std::fs::rename(&self.tmp, &self.target))
            .map_err(|e| format!("moving the print file into place: {e}"))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
            let _ = std::fs::remove_dir_all(&self.tmp_qr);
        }
    }
}

fn qr_dir(target: &Path) -> PathBuf {
    target.with_file_name("qr")
}

/// Refuses an output that exists (or whose QR folder exists) or whose folder is missing.
pub fn check_target(target: &Path, with_qr: bool) -> Result<(), String> {
    if target.exists() {
        return Err(format!(
            "{} already exists; a print file is never overwritten",
            target.display()
        ));
    }
    if with_qr && qr_dir(target).exists() {
        return Err(format!(
            "{} already exists; write the print file into its own folder",
            qr_dir(target).display()
        ));
    }
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() && !p.is_dir() => {
            Err(format!("the folder {} does not exist", p.display()))
        }
        _ => Ok(()),
    }
}

/// Writes the letters (sorted by address) and their QR codes under temporary names.
pub fn stage(
    target: &Path,
    address_columns: &[String],
    letters: &mut [Letter],
    origin: &str,
    lang: Option<&str>,
) -> Result<Staged, String> {
    check_target(target, true)?;
    let name = target
        .file_name()
        .ok_or_else(|| format!("{} is not a file name", target.display()))?
        .to_string_lossy()
        .into_owned();
    let staged = Staged {
        tmp: target.with_file_name(format!(".{name}.partial")),
        tmp_qr: target.with_file_name(".qr.partial"),
        target: target.to_path_buf(),
        done: false,
    };
    let _ = std::fs::remove_dir_all(&staged.tmp_qr);
    crate::files::create_dir(&staged.tmp_qr).map_err(|e| format!("creating the QR folder: {e}"))?;
    letters.sort_by(|a, b| a.address.cmp(&b.address));
    let mut header: Vec<&str> = address_columns.iter().map(String::as_str).collect();
    header.extend(["code", "link", "qr"]);
    let mut rows = Vec::with_capacity(letters.len());
    for l in letters.iter() {
        let link = link(origin, &l.code, lang);
        let qr = format!("qr/{}.svg", l.code.as_str());
        crate::files::write(
            &staged.tmp_qr.join(format!("{}.svg", l.code.as_str())),
            qr_svg(&link)?,
        )
        .map_err(|e| format!("writing a QR code: {e}"))?;
        let mut row = l.address.clone();
        row.extend([l.code.grouped(), link, qr]);
        rows.push(row);
    }
    write_csv(&staged.tmp, &header, &rows)?;
    Ok(staged)
}

/// Writes a CSV file and syncs it.
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), String> {
    let file = crate::files::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = csv::Writer::from_writer(file);
    let fail = |e: csv::Error| format!("{}: {e}", path.display());
    w.write_record(header).map_err(fail)?;
    for r in rows {
        w.write_record(r).map_err(fail)?;
    }
    let file = w
        .into_inner()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.sync_all()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A print file read back: its header and rows, with each row's code.
pub struct PrintFile {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<String>, Code)>,
}

/// Reads a print file; every row must carry a readable code.
pub fn read(path: &Path) -> Result<PrintFile, Vec<String>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| vec![format!("{name}: {e}")])?;
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| vec![format!("{name}:1: {e}")])?
        .iter()
        .map(str::to_string)
        .collect();
    let Some(code_col) = header.iter().position(|h| h == "code") else {
        return Err(vec![format!("{name}:1: there is no \"code\" column")]);
    };
    let mut faults = Vec::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                match Code::parse(r.get(code_col).unwrap_or("")) {
                    Some(code) => rows.push((line, r.iter().map(str::to_string).collect(), code)),
                    None => faults.push(format!("{name}:{line}: the code cannot be read")),
                }
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                faults.push(format!("{name}:{line}: {e}"));
            }
        }
    }
    if faults.is_empty() {
        Ok(PrintFile { header, rows })
    } else {
        Err(faults)
    }
}

/// The hashes of a print file's codes, in row order.
pub fn hashes(file: &PrintFile, key: &CodeKey) -> Vec<Vec<u8>> {
    file.rows.iter().map(|(_, _, c)| key.hash(c)).collect()
}

/// Writes rows of a print file (the reminder list) to a new file.
pub fn write_rows(target: &Path, header: &[String], rows: &[Vec<String>]) -> Result<(), String> {
    check_target(target, false)?;
    let tmp = target.with_extension("partial");
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    write_csv(&tmp, &h, rows)?;
    std::fs::rename(&tmp, target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", target.display())
    })?;
    Ok(())
}
