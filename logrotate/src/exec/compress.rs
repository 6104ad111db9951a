//! Compression of rotated files: gzip in-process (flate2) for the default command, zstd
//! in-process (`exec::zstd`) for a `compresscmd` zstd whose options are understood, or the
//! configured `compresscmd` with stdin/stdout redirected, as logrotate runs it.
//!
//! Either way the archive is written to `.NAME.partial` created with `O_EXCL|O_NOFOLLOW`, gets
//! the source's mode, owner and times, is made durable (alone: fsynced; in a batch, see
//! `exec::batch`: with the batch's filesystems), renamed into place (never over an existing
//! file), and only then is the source removed (by the executor). On failure the partial
//! archive is removed and the source kept; after a crash only a `.partial` file can remain,
//! which the next run replaces.

use super::fsops::{copy_acl, copy_times, create_exclusive, open_nofollow, rename_noreplace, sync_parent};
use crate::pathbytes::PathShow as _;
use crate::rule::{Builtin, Codec, Options};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::{FileExt as _, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Compresses `src` into `dst` according to `o`. The caller removes `src` (after `preremove`,
/// with `shred`), so a crash in between leaves both, which `exec::repair` resolves.
///
/// # Errors
///
/// Any failure; `dst` does not exist afterwards and `src` is untouched.
pub fn compress_file(o: &Options, src: &Path, dst: &Path, stderr: &mut Vec<u8>) -> io::Result<()> {
    let (partial, _) = write_partial(o, src, dst, stderr, Durable::Alone)?;
    place(&partial, dst)?;
    sync_parent(dst)
}

/// How [`write_partial`] is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durable {
    /// Alone: refuse when the archive exists already, and fsync the partial file.
    Alone,
    /// In a batch: the caller makes the whole batch durable at once.
    Later,
}

/// What a source looked like when it was compressed: the archive stands for it only while
/// the source is still that file with those bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
}

impl Seen {
    pub(crate) fn of(md: &std::fs::Metadata) -> Self {
        Seen { dev: md.dev(), ino: md.ino(), len: md.len(), mtime: (md.mtime(), md.mtime_nsec()) }
    }
}

/// Compresses `src` into `.DST.partial` (created with `O_EXCL|O_NOFOLLOW`, with the source's
/// mode, owner, ACL and times), removing any leftover of that name first. Returns the partial
/// name and what the source was.
///
/// # Errors
///
/// Any failure; the partial file is removed then.
pub(crate) fn write_partial(
    o: &Options,
    src: &Path,
    dst: &Path,
    stderr: &mut Vec<u8>,
    durable: Durable,
) -> io::Result<(PathBuf, Seen)> {
    let input = open_nofollow(src)?;
    let md = input.metadata()?;
    if durable == Durable::Alone && std::fs::symlink_metadata(dst).is_ok() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", dst.shown())));
    }
    // Written under a temporary name and renamed into place only when complete, so even a crash
    // never leaves a half-written archive under the real name. A leftover from a crash is ours.
    let partial = partial_name(dst);
    let create = || create_exclusive(&partial, md.mode() & 0o7777, Some(md.uid()), Some(md.gid()));
    let out = match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(&partial);
            create()?
        }
        created => created?,
    };
    let result = copy_acl(&input, &out).map(|_| ()).and_then(|()| match o.builtin_compressor() {
        Some(Builtin::Gzip(level)) if md.len() >= PARALLEL_MIN && threads() > 1 => {
            super::pgzip::compress(input, &out, level, gzip_mtime(&md), threads())
        }
        Some(Builtin::Gzip(level)) => gzip(input, &out, level, &md),
        Some(Builtin::Zstd(params)) => {
            let cores = if md.len() >= PARALLEL_MIN { threads() } else { 1 };
            super::zstd::compress(input, &out, &params, cores)
        }
        None => external(&o.compress_cmd, &o.effective_compress_options(), src, input, &out, stderr),
    });
    let result = result.and_then(|()| copy_times(&out, &md)).and_then(|()| {
        if durable == Durable::Later {
            Ok(())
        } else {
            out.sync_all()
        }
    });
    match result {
        Ok(()) => Ok((partial, Seen::of(&md))),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Renames a finished (durable) partial archive into place, never over an existing file; on
/// failure the partial file is removed.
///
/// # Errors
///
/// The rename failed (`dst` exists: `EEXIST`).
pub(crate) fn place(partial: &Path, dst: &Path) -> io::Result<()> {
    rename_noreplace(partial, dst).inspect_err(|_| {
        let _ = std::fs::remove_file(partial);
    })
}

/// The temporary name an archive is written under: `DIR/.NAME.partial`.
pub fn partial_name(dst: &Path) -> PathBuf {
    let name = dst.file_name().map(|n| crate::pathbytes::from_os(n).into_owned()).unwrap_or_default();
    dst.with_file_name(crate::pathbytes::to_os(&format!(".{name}.partial")))
}

/// Files at least this large are compressed on several cores.
pub(crate) const PARALLEL_MIN: u64 = 4 << 20;

fn threads() -> usize {
    super::batch::threads()
}

fn gzip_mtime(md: &std::fs::Metadata) -> u32 {
    u32::try_from(md.mtime()).unwrap_or(0)
}

fn gzip(mut input: File, out: &File, level: u32, md: &std::fs::Metadata) -> io::Result<()> {
    let mtime = gzip_mtime(md);
    let writer = BufWriter::with_capacity(1 << 17, out);
    let mut enc = flate2::GzBuilder::new().mtime(mtime).write(writer, flate2::Compression::new(level));
    pump(&mut input, &mut enc)?;
    enc.finish()?.flush()
}

/// Writes all of `input` to `w`, 128 KiB at a time.
pub(crate) fn pump(input: &mut File, w: &mut impl Write) -> io::Result<()> {
    let mut buf = vec![0u8; 1 << 17];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(&buf[..n])?;
    }
}

/// Runs `compresscmd` as logrotate does: stdin the file, stdout the archive,
/// `LOGROTATE_COMPRESSED_FILENAME` set to the file's name, stderr collected into `stderr`; only
/// the exit status decides whether it failed.
fn external(
    cmd: &str,
    options: &str,
    src: &Path,
    input: File,
    out: &File,
    stderr: &mut Vec<u8>,
) -> io::Result<()> {
    let mut child = Command::new(cmd)
        .args(options.split_whitespace())
        .env("LOGROTATE_COMPRESSED_FILENAME", src)
        .stdin(Stdio::from(input))
        .stdout(Stdio::from(out.try_clone()?))
        .stderr(Stdio::piped())
        .spawn()
        .inspect_err(|e| {
            // What logrotate's forked child prints when the exec fails.
            let reason = e.to_string();
            let reason = reason.split(" (os error").next().unwrap_or_default();
            stderr.extend(format!("error: cannot execute compress command '{cmd}': {reason}\n").bytes());
        })?;
    if let Some(mut err) = child.stderr.take() {
        err.read_to_end(stderr)?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("{cmd} exited with {status}")))
    }
}

/// Opens a compressed file for reading its original bytes (for `exec::repair`): in-process for
/// a zstd file or when the uncompress command is gunzip, unzstd or zstdcat, otherwise the
/// output of `uncompresscmd` (read whole).
///
/// # Errors
///
/// The file cannot be opened (a symlink is refused) or the command cannot run.
pub fn open_decompressed(o: &Options, path: &Path) -> io::Result<Box<dyn Read>> {
    let file = open_nofollow(path)?;
    // A zstd frame whatever `uncompresscmd` says: a classic `compresscmd zstd` rule often
    // leaves it at gunzip, which only `mail` (as in 3.21) keeps running.
    let mut magic = [0u8; 4];
    if file.read_at(&mut magic, 0)? == 4 && magic == ZSTD_MAGIC {
        return Ok(Box::new(super::zstd::decoder(file)?));
    }
    match o.builtin_decompressor() {
        Some(Codec::Gzip) => {
            return Ok(Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(file))))
        }
        Some(Codec::Zstd) => return Ok(Box::new(super::zstd::decoder(file)?)),
        None => {}
    }
    let output = Command::new(&o.uncompress_cmd).stdin(Stdio::from(file)).stderr(Stdio::null()).output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!("{} exited with {}", o.uncompress_cmd, output.status)));
    }
    Ok(Box::new(io::Cursor::new(output.stdout)))
}

/// The first bytes of a zstd frame.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Reads a possibly compressed file as text for mailing: in-process when the uncompress
/// command is gunzip, unzstd or zstdcat, otherwise (or when that fails) through `uncompresscmd`. Returns the text
/// and whether the uncompression succeeded (3.21 mails what came out either way).
///
/// # Errors
///
/// The file cannot be opened, or the uncompress command cannot be run.
pub fn read_for_mail(o: &Options, path: &Path, compressed: bool) -> io::Result<(Vec<u8>, bool)> {
    let file = open_nofollow(path)?;
    let mut data = Vec::new();
    if !compressed {
        let mut file = file;
        file.read_to_end(&mut data)?;
        return Ok((data, true));
    }
    let decoded = match o.builtin_decompressor() {
        Some(Codec::Gzip) => flate2::read::MultiGzDecoder::new(file).read_to_end(&mut data).is_ok(),
        Some(Codec::Zstd) => super::zstd::decoder(file).and_then(|mut d| d.read_to_end(&mut data)).is_ok(),
        None => false,
    };
    if decoded {
        return Ok((data, true));
    }
    // The program itself, whose own words (`gzip: stdin: not in gzip format`) reach stderr.
    let file = open_nofollow(path)?;
    let output =
        Command::new(&o.uncompress_cmd).stdin(Stdio::from(file)).stderr(Stdio::inherit()).output()?;
    Ok((output.stdout, output.status.success()))
}
