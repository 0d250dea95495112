//! Files and folders only their owner can read: the database, its backups, frozen waves,
//! the code key, print files and QR codes all hold either answers or what leads to a
//! person, so they are created mode 0600 (folders 0700) whatever the process's umask.
//!
//! The mode given at creation is masked by the umask, which can only take bits away; each
//! helper therefore also sets the mode explicitly on what it created, so a umask of 0 and
//! one of 077 give the same file. Existing files and folders are never changed: what an
//! administrator set up on purpose stays as it is.

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every file trygg creates with something private in it.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every folder trygg creates for such files.
pub const DIR_MODE: u32 = 0o700;

/// Creates a new file (refusing one that exists) readable and writable by its owner only.
pub fn create_new(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)?;
    f.set_permissions(Permissions::from_mode(FILE_MODE))?;
    Ok(f)
}

/// Creates a file, or truncates one that exists, readable and writable by its owner only
/// (an existing file is made so too: it is being rewritten with private content).
pub fn create(path: &Path) -> io::Result<File> {
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?;
    f.set_permissions(Permissions::from_mode(FILE_MODE))?;
    Ok(f)
}

/// Writes `bytes` to a file as [`create`] makes it.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    create(path)?.write_all(bytes.as_ref())
}

/// Creates one folder (its parent must exist) only its owner can enter.
pub fn create_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new().mode(DIR_MODE).create(path)?;
    std::fs::set_permissions(path, Permissions::from_mode(DIR_MODE))
}

/// Creates a folder and any missing parents, each only its owner can enter; folders that
/// exist already are left as they are.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        create_dir_all(parent)?;
    }
    match create_dir(path) {
        // Another process made it meanwhile: as good as made here.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_private_and_existing_folders_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), Permissions::from_mode(0o755)).unwrap();
        let deep = dir.path().join("a/b/c");
        create_dir_all(&deep).unwrap();
        create_dir_all(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode(&dir.path().join(d)), DIR_MODE, "{d}");
        }
        assert_eq!(mode(dir.path()), 0o755, "an existing folder keeps its mode");
        let f = deep.join("f");
        write(&f, "x").unwrap();
        assert_eq!(mode(&f), FILE_MODE);
        std::fs::set_permissions(&f, Permissions::from_mode(0o644)).unwrap();
        write(&f, "y").unwrap();
        assert_eq!(mode(&f), FILE_MODE, "a rewritten file is made private");
        assert!(create_new(&f).is_err(), "create_new never overwrites");
        create_new(&deep.join("g")).unwrap();
        assert_eq!(mode(&deep.join("g")), FILE_MODE);
    }
}
