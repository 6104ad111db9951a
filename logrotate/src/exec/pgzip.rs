//! gzip on several cores, the way pigz does it: the input is cut into blocks, each block is
//! deflated independently on its own thread and ended with a sync flush (so it ends on a byte
//! boundary and without the final-block bit), and the pieces are written in order as one
//! ordinary gzip member, closed by an empty final block, the combined CRC-32 and the length.
//! Any gzip reader decompresses it; the ratio is within a fraction of a percent of `gzip -N`.

use flate2::{Compress, Compression, Crc, FlushCompress};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// Bytes per block handed to one thread.
const BLOCK: usize = 1 << 20;

/// The fixed-Huffman empty block with the final bit set: the end of the deflate stream.
const FINAL_EMPTY_BLOCK: [u8; 2] = [0x03, 0x00];

/// Compresses all of `input` into `out` as a gzip member with the given level and mtime,
/// using up to `threads` threads.
///
/// Each thread takes the next block number, reads that block itself (`pread`) and deflates
/// it; the calling thread writes the pieces in order. Threads run at most [`AHEAD`] blocks
/// past the last one written, so memory stays bounded. The input ends at its first short
/// block (what is appended after a thread saw the end is not taken, as with a plain read to
/// the end). With no thread started, the calling thread does it all.
///
/// # Errors
///
/// Reading, compressing or writing failed.
pub fn compress(input: File, out: &File, level: u32, mtime: u32, threads: usize) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 18, out);
    let xfl = match level {
        9 => 2,
        1 => 4,
        _ => 0,
    };
    w.write_all(&[0x1f, 0x8b, 8, 0])?;
    w.write_all(&mtime.to_le_bytes())?;
    w.write_all(&[xfl, 3])?; // OS: Unix
    let shared =
        Shared { input: &input, level, next: AtomicU64::new(0), written: (Mutex::new(0), Condvar::new()) };
    let crc = std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        let started = (0..threads.max(1))
            .filter(|_| {
                let (tx, shared) = (tx.clone(), &shared);
                std::thread::Builder::new().spawn_scoped(s, move || shared.work(&tx)).is_ok()
            })
            .count();
        drop(tx);
        let written = if started == 0 { shared.alone(&mut w) } else { shared.gather(&rx, &mut w) };
        // Threads waiting for room (or reading past the end) stop.
        shared.finish();
        written
    })?;
    w.write_all(&FINAL_EMPTY_BLOCK)?;
    w.write_all(&crc.sum().to_le_bytes())?;
    w.write_all(&crc.amount().to_le_bytes())?;
    w.flush()
}

/// Blocks deflated but not yet written, at most, beyond those the threads are working on.
const AHEAD: u64 = 4;

/// A deflated block: its number, its bytes and CRC, and whether it was the last (short).
type Piece = (u64, io::Result<(Vec<u8>, Crc)>, bool);

/// What the threads of one [`compress`] share.
struct Shared<'a> {
    input: &'a File,
    level: u32,
    /// The next block number to take.
    next: AtomicU64,
    /// How many blocks are written (`u64::MAX`: stop), and its change.
    written: (Mutex<u64>, Condvar),
}

impl Shared<'_> {
    /// A thread: takes blocks until one is short or the writer says stop.
    fn work(&self, tx: &mpsc::Sender<Piece>) {
        /// A thread that ends by unwinding (nothing in it should panic) stops the others, so
        /// that the writer is not left waiting for its block.
        struct StopOnPanic<'s, 'a>(&'s Shared<'a>);
        impl Drop for StopOnPanic<'_, '_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.finish();
                }
            }
        }
        let _stop = StopOnPanic(self);
        let mut d = Deflater::new(self.level);
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if !self.room_for(i) {
                return;
            }
            let (piece, last) = d.block(self.input, i);
            if tx.send((i, piece, last)).is_err() || last {
                return;
            }
        }
    }

    /// Waits until block `i` is within [`AHEAD`] of the writer; false once told to stop.
    fn room_for(&self, i: u64) -> bool {
        let (lock, changed) = &self.written;
        let mut written = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *written != u64::MAX && i >= written.saturating_add(AHEAD) {
            written = changed.wait(written).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *written != u64::MAX
    }

    /// The writer: the pieces in order until the short one; their combined CRC.
    fn gather(&self, rx: &mpsc::Receiver<Piece>, w: &mut impl Write) -> io::Result<Crc> {
        let mut crc = Crc::new();
        let mut waiting = std::collections::BTreeMap::new();
        let mut expected = 0;
        for (i, piece, last) in rx {
            waiting.insert(i, (piece, last));
            while let Some((piece, last)) = waiting.remove(&expected) {
                let (deflated, block_crc) = piece?;
                w.write_all(&deflated)?;
                crc.combine(&block_crc);
                if last {
                    return Ok(crc);
                }
                expected += 1;
                let (lock, changed) = &self.written;
                let mut written = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                // (Once told to stop, the threads stay stopped.)
                if *written != u64::MAX {
                    *written = expected;
                }
                drop(written);
                changed.notify_all();
            }
        }
        Err(io::Error::other("a compression thread stopped"))
    }

    /// No thread could start: block after block on the calling thread.
    fn alone(&self, w: &mut impl Write) -> io::Result<Crc> {
        let mut crc = Crc::new();
        let mut d = Deflater::new(self.level);
        for i in 0.. {
            let (piece, last) = d.block(self.input, i);
            let (deflated, block_crc) = piece?;
            w.write_all(&deflated)?;
            crc.combine(&block_crc);
            if last {
                break;
            }
        }
        Ok(crc)
    }

    /// Tells the threads to stop.
    fn finish(&self) {
        let (lock, changed) = &self.written;
        *lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = u64::MAX;
        changed.notify_all();
    }
}

/// Block `i` of `input` into `block` (short only at the end).
fn read_block_at(input: &File, i: u64, block: &mut Vec<u8>) -> io::Result<()> {
    block.resize(BLOCK, 0);
    let mut filled = 0;
    while filled < BLOCK {
        let at = i * BLOCK as u64 + filled as u64;
        match input.read_at(&mut block[filled..], at) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    block.truncate(filled);
    Ok(())
}

/// One thread's means: a deflate state reset for each block, and room for a block in and out
/// (what is handed on is a copy just as long as the piece: pieces waiting to be written hold
/// no more memory than they need).
struct Deflater {
    c: Compress,
    block: Vec<u8>,
    out: Vec<u8>,
}

impl Deflater {
    fn new(level: u32) -> Self {
        Deflater { c: Compress::new(Compression::new(level), false), block: Vec::new(), out: Vec::new() }
    }

    /// Block `i` of `input`, deflated and sync-flushed, with its CRC; whether it was short.
    fn block(&mut self, input: &File, i: u64) -> (io::Result<(Vec<u8>, Crc)>, bool) {
        if let Err(e) = read_block_at(input, i, &mut self.block) {
            return (Err(e), true);
        }
        (self.deflate().map(|crc| (self.out.clone(), crc)), self.block.len() < BLOCK)
    }

    /// Raw deflate of the block into `out`, sync-flushed; its CRC.
    fn deflate(&mut self) -> io::Result<Crc> {
        let (block, out, c) = (&self.block, &mut self.out, &mut self.c);
        let mut crc = Crc::new();
        crc.update(block);
        c.reset();
        out.clear();
        out.reserve(block.len() + block.len() / 8 + 1024);
        loop {
            let consumed = c.total_in() as usize;
            c.compress_vec(&block[consumed..], out, FlushCompress::Sync).map_err(io::Error::other)?;
            // Done when all input is in and the flush did not run out of room.
            if c.total_in() as usize == block.len() && out.len() < out.capacity() {
                return Ok(crc);
            }
            out.reserve(out.capacity().max(4096));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek};

    fn round_trip(data: &[u8], threads: usize) -> Vec<u8> {
        let mut src = tempfile::tempfile().unwrap();
        src.write_all(data).unwrap();
        src.rewind().unwrap();
        let mut dst = tempfile::tempfile().unwrap();
        compress(src, &dst, 6, 1_600_000_000, threads).unwrap();
        dst.rewind().unwrap();
        let mut back = Vec::new();
        // A single-member reader: the output must be one ordinary gzip member.
        flate2::read::GzDecoder::new(dst).read_to_end(&mut back).unwrap();
        back
    }

    #[test]
    fn empty_and_small_inputs() {
        assert_eq!(round_trip(b"", 2), b"");
        assert_eq!(round_trip(b"one line\n", 2), b"one line\n");
    }

    #[test]
    fn many_blocks_on_several_threads_decode_exactly() {
        let mut data = Vec::new();
        let mut x: u64 = 1;
        while data.len() < 3 * BLOCK + 12345 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            data.extend_from_slice(format!("{} GET /api/{:x} 200\n", x % 1000, x >> 40).as_bytes());
        }
        for threads in [1, 2, 3, 8] {
            assert_eq!(round_trip(&data, threads), data, "threads={threads}");
        }
    }

    #[test]
    fn the_calling_thread_alone_writes_the_same_bytes() {
        let data: Vec<u8> = (0..2 * BLOCK + 777).map(|i| b"abcdefgh\n"[i % 9]).collect();
        let mut src = tempfile::tempfile().unwrap();
        src.write_all(&data).unwrap();
        let shared = Shared { input: &src, level: 6, next: AtomicU64::new(0), written: Default::default() };
        let mut alone = Vec::new();
        shared.alone(&mut alone).unwrap();
        let mut threaded = Vec::new();
        let mut dst = tempfile::tempfile().unwrap();
        compress(src.try_clone().unwrap(), &dst, 6, 1_600_000_000, 2).unwrap();
        dst.rewind().unwrap();
        dst.read_to_end(&mut threaded).unwrap();
        // The header (10 bytes) and the pieces; then the end block, CRC and length.
        assert_eq!(&threaded[10..threaded.len() - 10], &alone[..]);
    }

    #[test]
    fn exact_block_multiple() {
        let data = vec![b'a'; 2 * BLOCK];
        assert_eq!(round_trip(&data, 2), data);
    }
}
