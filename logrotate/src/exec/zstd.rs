//! zstd in-process: the C library (the `zstd` crate) with the parameters of the program's
//! options that [`parse_zstd_options`](crate::rule::parse_zstd_options) understood. The
//! archive is one standard frame, with a content checksum as the program writes by default,
//! that `zstd -d`, `zstdcat` and `zstdgrep` read. Large files are compressed on several cores
//! (zstdmt); small ones whole on one, by a compressor each thread keeps, since a batch already
//! compresses many of them side by side.

use super::compress::pump;
use crate::rule::ZstdParams;
use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use zstd::bulk::Compressor;
use zstd::zstd_safe::CParameter;

/// The largest window a `--long=N` archive can need (the program's `--long=31`).
const WINDOW_LOG_MAX: u32 = 31;

/// Compresses all of `input` into `out`. `cores` is 0 for a small file (read whole and
/// compressed on this thread, whatever `-T` said), else how many cores `-T0` and no `-T` use.
///
/// # Errors
///
/// Reading, compressing or writing failed.
pub(crate) fn compress(mut input: File, out: &File, p: &ZstdParams, cores: usize) -> io::Result<()> {
    if cores == 0 {
        return small(input, out, p);
    }
    let writer = BufWriter::with_capacity(1 << 17, out);
    let mut enc = zstd::stream::write::Encoder::new(writer, p.level)?;
    enc.include_checksum(p.checksum)?;
    if let Some(window_log) = p.long {
        enc.long_distance_matching(true)?;
        enc.window_log(window_log)?;
    }
    if cores > 1 {
        let workers = match p.threads {
            None | Some(0) => u32::try_from(cores).unwrap_or(1),
            Some(n) => n,
        };
        enc.multithread(workers)?;
    }
    pump(&mut input, &mut enc)?;
    enc.finish()?.flush()
}

thread_local! {
    /// This thread's compressor for small files and the parameters it was set up with, reused:
    /// making one costs more than compressing a small log.
    static SMALL: RefCell<Option<(ZstdParams, Compressor<'static>)>> = const { RefCell::new(None) };
}

/// A small file: read whole, so the frame is sized for it (tables for its size, not for the
/// whole window) and records its length, by this thread's compressor.
fn small(mut input: File, mut out: &File, p: &ZstdParams) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    SMALL.with_borrow_mut(|slot| {
        let c = match slot {
            Some((q, c)) if q == p => c,
            _ => {
                let mut c = Compressor::new(p.level)?;
                c.set_parameter(CParameter::ChecksumFlag(p.checksum))?;
                if let Some(window_log) = p.long {
                    c.set_parameter(CParameter::EnableLongDistanceMatching(true))?;
                    c.set_parameter(CParameter::WindowLog(window_log))?;
                }
                &mut slot.insert((*p, c)).1
            }
        };
        out.write_all(&c.compress(&data)?)
    })
}

/// A reader of the original bytes of a zstd file (all its frames, any window size).
///
/// # Errors
///
/// The decoder could not be set up.
pub(crate) fn decoder<R: Read>(input: R) -> io::Result<impl Read> {
    let mut dec = zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(1 << 17, input))?;
    dec.window_log_max(WINDOW_LOG_MAX)?;
    Ok(dec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Seek;

    fn round_trip(data: &[u8], p: &ZstdParams, cores: usize) -> Vec<u8> {
        let mut src = tempfile::tempfile().unwrap();
        src.write_all(data).unwrap();
        src.rewind().unwrap();
        let mut dst = tempfile::tempfile().unwrap();
        compress(src, &dst, p, cores).unwrap();
        dst.rewind().unwrap();
        let mut back = Vec::new();
        decoder(dst).unwrap().read_to_end(&mut back).unwrap();
        back
    }

    #[test]
    fn small_large_long_and_ultra_decode_exactly() {
        let mut data = Vec::new();
        let mut x: u64 = 1;
        while data.len() < 5 << 20 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            data.extend_from_slice(format!("{} GET /api/{:x} 200\n", x % 1000, x >> 40).as_bytes());
        }
        let p = ZstdParams { level: 3, threads: None, long: None, checksum: true };
        assert_eq!(round_trip(b"", &p, 0), b"");
        assert_eq!(round_trip(b"one line\n", &p, 0), b"one line\n");
        assert_eq!(round_trip(&data, &p, 0), data);
        assert_eq!(round_trip(&data, &p, 1), data);
        assert_eq!(round_trip(&data, &p, 4), data);
        let p = ZstdParams { level: 1, threads: Some(2), long: Some(30), checksum: false };
        assert_eq!(round_trip(&data, &p, 2), data);
        assert_eq!(round_trip(&data[..100_000], &p, 0), &data[..100_000]);
        let p = ZstdParams { level: 22, threads: Some(1), long: None, checksum: true };
        assert_eq!(round_trip(&data[..100_000], &p, 2), &data[..100_000]);
    }
}
