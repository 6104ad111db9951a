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
    write_partial_from(o, input, &md, src, dst, stderr, durable)
}

/// [`write_partial`] from `input`, the source already opened (`md`: what it is).
pub(crate) fn write_partial_from(
    o: &Options,
    input: File,
    md: &std::fs::Metadata,
    src: &Path,
    dst: &Path,
    stderr: &mut Vec<u8>,
    durable: Durable,
) -> io::Result<(PathBuf, Seen)> {
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
            super::pgzip::compress(input, &out, level, gzip_mtime(md), threads())
        }
        Some(Builtin::Gzip(level)) => gzip(input, &out, level, md),
        Some(Builtin::Zstd(params)) => {
            let cores = if md.len() >= PARALLEL_MIN { threads() } else { 0 };
            super::zstd::compress(input, &out, &params, cores)
        }
        None => external(&o.compress_cmd, &o.effective_compress_options(), src, input, &out, stderr),
    });
    let result = result.and_then(|()| copy_times(&out, md)).and_then(|()| {
        if durable == Durable::Later {
            Ok(())
        } else {
            out.sync_all()
        }
    });
    match result {
        Ok(()) => Ok((partial, Seen::of(md))),
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

thread_local! {
    /// This thread's deflate state and level, reset between files instead of made anew:
    /// setting up its tables costs more than compressing a small log.
    static DEFLATE: std::cell::RefCell<Option<(u32, flate2::Compress)>> = const { std::cell::RefCell::new(None) };
}

/// Writes `input` gzipped to `out`, with flate2's `GzBuilder`'s header (`mtime`, operating
/// system "unknown"), from a deflate state kept per thread.
fn gzip(mut input: File, out: &File, level: u32, md: &std::fs::Metadata) -> io::Result<()> {
    use flate2::{Compress, Compression, Crc, FlushCompress, Status};
    // Buffers the size of a small file, up to 128 KiB.
    let cap = usize::try_from(md.len()).unwrap_or(usize::MAX).clamp(4 << 10, 1 << 17);
    let mut w = BufWriter::with_capacity(cap, out);
    let xfl = match level {
        9.. => 2,
        0 | 1 => 4,
        _ => 0,
    };
    w.write_all(&[0x1f, 0x8b, 8, 0])?;
    w.write_all(&gzip_mtime(md).to_le_bytes())?;
    w.write_all(&[xfl, 255])?;
    DEFLATE.with_borrow_mut(|slot| {
        let deflate = match slot {
            Some((l, d)) if *l == level => {
                d.reset();
                d
            }
            _ => &mut slot.insert((level, Compress::new(Compression::new(level), false))).1,
        };
        let (mut crc, mut inbuf, mut outbuf) = (Crc::new(), vec![0u8; cap], Vec::with_capacity(cap));
        loop {
            let n = match input.read(&mut inbuf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            crc.update(&inbuf[..n]);
            let mut rest = &inbuf[..n];
            while !rest.is_empty() {
                let before = deflate.total_in();
                outbuf.clear();
                deflate.compress_vec(rest, &mut outbuf, FlushCompress::None).map_err(io::Error::other)?;
                let used = usize::try_from(deflate.total_in() - before).unwrap_or(rest.len());
                rest = &rest[used.min(rest.len())..];
                w.write_all(&outbuf)?;
            }
        }
        loop {
            outbuf.clear();
            let status =
                deflate.compress_vec(&[], &mut outbuf, FlushCompress::Finish).map_err(io::Error::other)?;
            w.write_all(&outbuf)?;
            if status == Status::StreamEnd {
                break;
            }
        }
        w.write_all(&crc.sum().to_le_bytes())?;
        w.write_all(&crc.amount().to_le_bytes())?;
        w.flush()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What flate2's own gzip writer makes of `data` (the archives written before).
    fn reference(data: &[u8], level: u32, mtime: u32) -> Vec<u8> {
        let mut enc =
            flate2::GzBuilder::new().mtime(mtime).write(Vec::new(), flate2::Compression::new(level));
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gzip_from_a_kept_deflate_state_writes_flate2s_bytes() {
        let d = tempfile::tempdir().unwrap();
        let mut seed = 7u64;
        // Sizes around the buffer sizes, levels that change the header; one thread, so each
        // file after the first reuses (resets) the state of the one before.
        for (i, &len) in [0usize, 1, 4095, 4096, 70_000, 131_072, 300_001].iter().enumerate() {
            for level in [1, 6, 9, 6] {
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        b"abc de\n"[usize::try_from(seed >> 61).unwrap() % 7]
                    })
                    .collect();
                let src = d.path().join(format!("in{i}"));
                std::fs::write(&src, &data).unwrap();
                let md = std::fs::metadata(&src).unwrap();
                let dst = d.path().join(format!("out{i}-{level}"));
                let out = File::create(&dst).unwrap();
                gzip(File::open(&src).unwrap(), &out, level, &md).unwrap();
                let got = std::fs::read(&dst).unwrap();
                let want = reference(&data, level, gzip_mtime(&md));
                assert_eq!(got[..10], want[..10], "the header of {len} bytes at level {level}");
                let mut back = Vec::new();
                flate2::read::GzDecoder::new(&got[..]).read_to_end(&mut back).unwrap();
                assert!(back == data, "{len} bytes at level {level} come back");
                if len <= 1 << 17 {
                    // Read in one go, deflated in one go: flate2's very bytes.
                    assert_eq!(got, want, "{len} bytes at level {level}");
                }
            }
        }
    }
}
